import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { FabricError } from '../protocol/errors';
import { DEFAULT_LIMITS, encodeMessage, FRAME_HEADER_BYTES, toFrames } from '../protocol/framing';
import type { ByteChannel } from './byte-channel';
import { MessageLink, type LinkOptions } from './message-link';

/**
 * One end of an in-memory channel pair. Like an RTCDataChannel: `send` queues bytes and raises
 * `bufferedAmount` at once; the queue drains one message per timer tick, delivering to the peer;
 * `whenDrained` fires once the queue drops to its threshold; closing either end closes both,
 * with the close events arriving asynchronously.
 */
class MemoryChannel implements ByteChannel {
  bufferedAmount = 0;
  /** Largest `bufferedAmount` seen right after a send. */
  peakBuffered = 0;
  /** Every frame handed to `send`, in order. */
  readonly sent: Uint8Array[] = [];
  /** When true, bytes arriving here are lost (a stalled network). */
  dropIncoming = false;
  closed = false;
  private peer!: MemoryChannel;
  private readonly queue: Uint8Array[] = [];
  private draining = false;
  private messageCb: ((bytes: Uint8Array) => void) | undefined;
  private readonly closeCbs: (() => void)[] = [];
  private readonly drainWaiters: { threshold: number; cb: () => void }[] = [];

  constructor(readonly maxMessageBytes: number) {}

  static pair(maxMessageBytes: number): [MemoryChannel, MemoryChannel] {
    const a = new MemoryChannel(maxMessageBytes);
    const b = new MemoryChannel(maxMessageBytes);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  send(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.closed) throw new Error('InvalidStateError: the channel is closed');
    // Chromium throws on a message over the SCTP limit; so do we.
    if (bytes.byteLength > this.maxMessageBytes) throw new Error(`message of ${bytes.byteLength} bytes exceeds ${this.maxMessageBytes}`);
    const copy = bytes.slice();
    this.sent.push(copy);
    this.queue.push(copy);
    this.bufferedAmount += copy.byteLength;
    this.peakBuffered = Math.max(this.peakBuffered, this.bufferedAmount);
    this.scheduleDrain();
  }

  whenDrained(threshold: number, cb: () => void): void {
    if (this.bufferedAmount <= threshold) cb();
    else this.drainWaiters.push({ threshold, cb });
  }

  onMessage(cb: (bytes: Uint8Array) => void): void {
    this.messageCb = cb;
  }

  onClose(cb: () => void): void {
    this.closeCbs.push(cb);
  }

  close(): void {
    if (this.closed) return;
    this.shutDown();
    this.peer.shutDown();
  }

  private shutDown(): void {
    this.closed = true;
    this.queue.length = 0;
    this.drainWaiters.length = 0;
    setTimeout(() => {
      for (const cb of this.closeCbs.splice(0)) cb();
    }, 0);
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setTimeout(() => this.drainOne(), 0);
  }

  private drainOne(): void {
    this.draining = false;
    const next = this.queue.shift();
    if (!next || this.closed) return;
    this.bufferedAmount -= next.byteLength;
    if (!this.peer.closed && !this.peer.dropIncoming) this.peer.messageCb?.(next.slice());
    const ready = this.drainWaiters.filter((w) => this.bufferedAmount <= w.threshold);
    for (const w of ready) this.drainWaiters.splice(this.drainWaiters.indexOf(w), 1);
    for (const w of ready) w.cb();
    if (this.queue.length > 0) this.scheduleDrain();
  }
}

const TestMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('heartbeat'), sentAt: z.number() }),
  z.object({ type: z.literal('ping'), n: z.number().int() }),
  z.object({ type: z.literal('blob'), name: z.string().max(64) }),
]);
type TestMessage = z.infer<typeof TestMessageSchema>;

/** A received message with its payloads. */
interface Received {
  readonly msg: TestMessage;
  readonly payloads: readonly Uint8Array[];
}

const KiB = 1024;
const MiB = 1024 * 1024;
const links: MessageLink<TestMessage, object>[] = [];

/**
 * Two links over a channel pair. Both send `object` so that a test can send what the schema
 * forbids; both parse with the test schema. Heartbeats default to once a minute, out of the way.
 */
function linkPair(options: Partial<LinkOptions<TestMessage, object>> = {}, frameBytes = 64 * KiB, receiverOptions: Partial<LinkOptions<TestMessage, object>> = {}) {
  const [ca, cb] = MemoryChannel.pair(frameBytes);
  const base: LinkOptions<TestMessage, object> = {
    schema: TestMessageSchema,
    heartbeat: () => ({ type: 'heartbeat', sentAt: Date.now() }),
    heartbeatMs: 60_000,
    lostAfterMs: 180_000,
    label: 'test',
  };
  const a = new MessageLink<TestMessage, object>(ca, { ...base, label: 'a', ...options });
  const b = new MessageLink<TestMessage, object>(cb, { ...base, label: 'b', ...options, ...receiverOptions });
  links.push(a, b);
  const gotA: Received[] = [];
  const gotB: Received[] = [];
  a.onMessage((msg, payloads) => gotA.push({ msg, payloads }));
  b.onMessage((msg, payloads) => gotB.push({ msg, payloads }));
  const closedA: FabricError[] = [];
  const closedB: FabricError[] = [];
  a.onClose((r) => closedA.push(r));
  b.onClose((r) => closedB.push(r));
  return { a, b, ca, cb, gotA, gotB, closedA, closedB };
}

function bigPayload(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 2654435761) >>> 24;
  return out;
}

afterEach(() => {
  for (const l of links.splice(0)) l.close(new FabricError('link-closed', 'test over'));
  vi.useRealTimers();
});

describe('MessageLink', () => {
  it('delivers a 3 MiB payload intact in 64 KiB frames', async () => {
    const { a, ca, gotB } = linkPair();
    const payload = bigPayload(3 * MiB + 5);
    await a.send({ type: 'blob', name: 'partition-0' }, [payload, new Uint8Array([1, 2, 3])], 'bulk');
    await expect.poll(() => gotB.length).toBe(1);
    const got = gotB[0]!;
    expect(got.msg).toEqual({ type: 'blob', name: 'partition-0' });
    expect(got.payloads).toHaveLength(2);
    expect(got.payloads[0]!.byteLength).toBe(payload.byteLength);
    expect(Buffer.compare(got.payloads[0]!, payload)).toBe(0);
    expect(Array.from(got.payloads[1]!)).toEqual([1, 2, 3]);
    // It really went as many frames, none over the channel's limit.
    expect(ca.sent.length).toBeGreaterThan(48);
    expect(Math.max(...ca.sent.map((f) => f.byteLength))).toBe(64 * KiB);
  });

  it('keeps bufferedAmount within the high-water mark plus one frame', async () => {
    const high = 256 * KiB;
    const { a, ca, gotB } = linkPair({ highWaterBytes: high, lowWaterBytes: 64 * KiB });
    const sent = a.send({ type: 'blob', name: 'big' }, [bigPayload(3 * MiB)], 'bulk');
    // Without flow control every frame would be queued at once (3 MiB buffered).
    expect(ca.bufferedAmount).toBeLessThanOrEqual(high + 64 * KiB);
    await sent;
    await expect.poll(() => gotB.length).toBe(1);
    expect(ca.peakBuffered).toBeGreaterThan(high);
    expect(ca.peakBuffered).toBeLessThanOrEqual(high + 64 * KiB);
    expect(Buffer.compare(gotB[0]!.payloads[0]!, bigPayload(3 * MiB))).toBe(0);
  });

  it('sends a control message ahead of the rest of a queued bulk message', async () => {
    const { a, ca, gotB } = linkPair({ highWaterBytes: 128 * KiB, lowWaterBytes: 32 * KiB });
    const bulk = a.send({ type: 'blob', name: 'bulk' }, [bigPayload(2 * MiB)], 'bulk');
    const framesBeforeControl = ca.sent.length;
    const control = a.send({ type: 'ping', n: 7 });
    await Promise.all([bulk, control]);
    await expect.poll(() => gotB.length).toBe(2);
    expect(gotB.map((r) => r.msg.type)).toEqual(['ping', 'blob']);
    // The bulk message had started and was held by flow control; the ping went between its frames.
    const ids = ca.sent.map((f) => new DataView(f.buffer, f.byteOffset).getUint32(4, true));
    const pingAt = ids.indexOf(2);
    expect(framesBeforeControl).toBeGreaterThan(0);
    expect(pingAt).toBe(framesBeforeControl);
    expect(ids.lastIndexOf(1)).toBeGreaterThan(pingAt);
  });

  it('sends messages of one lane in order', async () => {
    const { a, gotB } = linkPair();
    await Promise.all([1, 2, 3, 4, 5].map((n) => a.send({ type: 'ping', n })));
    await expect.poll(() => gotB.length).toBe(5);
    expect(gotB.map((r) => (r.msg.type === 'ping' ? r.msg.n : -1))).toEqual([1, 2, 3, 4, 5]);
  });

  it('closes the receiving link with schema-mismatch when a message breaks the schema', async () => {
    const { a, b, gotB, closedA, closedB } = linkPair();
    await a.send({ type: 'ping', n: 'seven' });
    await expect.poll(() => closedB.length).toBe(1);
    expect(gotB).toHaveLength(0);
    expect(b.closeReason?.code).toBe('schema-mismatch');
    expect(b.closeReason?.message).toMatch(/^b: message failed its schema at "n"/);
    // The channel closed under the sender too.
    await expect.poll(() => closedA.length).toBe(1);
    expect(closedA[0]!.code).toBe('link-closed');
    expect(closedA[0]!.message).toMatch(/a: the channel closed/);
  });

  it('closes with schema-mismatch on an unknown message type', async () => {
    const { a, b, closedB } = linkPair();
    await a.send({ type: 'format-disk' });
    await expect.poll(() => closedB.length).toBe(1);
    expect(b.closeReason?.code).toBe('schema-mismatch');
    expect(b.closeReason?.message).toMatch(/at "type"/);
  });

  it('closes with bad-frame on a raw garbage frame', async () => {
    const { a, b, gotB, closedB } = linkPair();
    const garbage = new Uint8Array(40);
    garbage.fill(0x42);
    a.sendRawFrame(garbage);
    await expect.poll(() => closedB.length).toBe(1);
    expect(closedB[0]!.code).toBe('bad-frame');
    expect(closedB[0]!.message).toMatch(/frame starts with 0x42 0x42, expected magic 0xfb/);
    expect(b.closeReason).toBe(closedB[0]);
    expect(gotB).toHaveLength(0);
  });

  it('closes with bad-frame on a well-framed message whose body is not a message', async () => {
    const { a, closedB } = linkPair();
    for (const f of toFrames(99, new Uint8Array([1, 0, 0, 0, 0x7b]), 64 * KiB)) a.sendRawFrame(f);
    await expect.poll(() => closedB.length).toBe(1);
    expect(closedB[0]!.code).toBe('bad-frame');
    expect(closedB[0]!.message).toMatch(/decodeMessage/);
  });

  it('closes with message-too-large when a message exceeds the receiver cap', async () => {
    const { a, b, gotB, closedB } = linkPair({}, 64 * KiB, { limits: { ...DEFAULT_LIMITS, maxMessageBytes: 1 * MiB } });
    // A message under the cap still goes through.
    await a.send({ type: 'blob', name: 'small' }, [bigPayload(512 * KiB)], 'bulk');
    await expect.poll(() => gotB.length).toBe(1);
    a.send({ type: 'blob', name: 'huge' }, [bigPayload(2 * MiB)], 'bulk').catch(() => undefined);
    await expect.poll(() => closedB.length).toBe(1);
    expect(b.closeReason?.code).toBe('message-too-large');
    expect(b.closeReason?.message).toMatch(/exceeds the cap of 1048576/);
    expect(gotB).toHaveLength(1);
  });

  it('rejects a send after close with the close reason', async () => {
    const { a } = linkPair();
    const reason = new FabricError('bad-token', 'wrong room token');
    a.close(reason);
    await expect(a.send({ type: 'ping', n: 1 })).rejects.toBe(reason);
    expect(a.closeReason).toBe(reason);
  });

  it('rejects sends still queued behind flow control when the link closes', async () => {
    const { a, ca } = linkPair({ highWaterBytes: 64 * KiB, lowWaterBytes: 16 * KiB });
    const bulk = a.send({ type: 'blob', name: 'big' }, [bigPayload(2 * MiB)], 'bulk');
    const queued = a.send({ type: 'ping', n: 2 });
    expect(ca.sent.length).toBeLessThan(5);
    a.close(new FabricError('link-closed', 'peer left'));
    await expect(bulk).rejects.toMatchObject({ code: 'link-closed', message: 'peer left' });
    await expect(queued).rejects.toMatchObject({ code: 'link-closed' });
  });

  it('calls onClose once, also for a handler registered after the close', async () => {
    const { a, closedA } = linkPair();
    a.close(new FabricError('worker-lost', 'first'));
    a.close(new FabricError('link-closed', 'second'));
    expect(closedA.map((e) => e.message)).toEqual(['first']);
    const late: FabricError[] = [];
    a.onClose((r) => late.push(r));
    expect(late.map((e) => e.message)).toEqual(['first']);
  });

  it('counts bytes and messages in both directions', async () => {
    const { a, b, ca, gotB } = linkPair();
    const payload = bigPayload(200 * KiB);
    await a.send({ type: 'blob', name: 'x' }, [payload], 'bulk');
    await a.send({ type: 'ping', n: 1 });
    await expect.poll(() => gotB.length).toBe(2);
    const encoded = encodeMessage({ type: 'blob', name: 'x' }, [payload]).byteLength + encodeMessage({ type: 'ping', n: 1 }).byteLength;
    const frames = ca.sent.length;
    expect(frames).toBe(5); // 200 KiB + header in 64 KiB frames is 4, plus one for the ping
    expect(a.stats.bytesOut).toBe(encoded + frames * FRAME_HEADER_BYTES);
    expect(b.stats.bytesIn).toBe(a.stats.bytesOut);
    expect(a.stats.messagesOut).toBe(2);
    expect(b.stats.messagesIn).toBe(2);
    expect(a.stats.bytesIn).toBe(0);
    expect(b.stats.bytesOut).toBe(0);
  });

  describe('heartbeats', () => {
    it('keeps a quiet link open with heartbeats, and closes with link-closed when they stop arriving', async () => {
      vi.useFakeTimers();
      const { a, b, ca, gotA, gotB, closedA } = linkPair({ heartbeatMs: 100, lostAfterMs: 350 });
      await vi.advanceTimersByTimeAsync(2000);
      // Twenty heartbeat periods with nothing else sent: still open, because heartbeats flowed.
      expect(a.closeReason).toBeUndefined();
      expect(b.closeReason).toBeUndefined();
      expect(gotA.length).toBeGreaterThanOrEqual(15);
      expect(gotB.every((r) => r.msg.type === 'heartbeat')).toBe(true);
      expect(gotB.length).toBeGreaterThanOrEqual(15);

      ca.dropIncoming = true; // b's heartbeats no longer reach a
      // The last heartbeat came within one period of the drop; a waits out lostAfterMs from it.
      await vi.advanceTimersByTimeAsync(150);
      expect(a.closeReason).toBeUndefined();
      await vi.advanceTimersByTimeAsync(350);
      expect(closedA).toHaveLength(1);
      expect(closedA[0]!.code).toBe('link-closed');
      expect(closedA[0]!.message).toMatch(/a: heard nothing for 350 ms \(heartbeat stopped\)/);
      expect(closedA[0]!.retryable).toBe(true);
      // Closing one end closes the other.
      await vi.advanceTimersByTimeAsync(10);
      expect(b.closeReason?.code).toBe('link-closed');
    });

    it('stops heartbeating after close', async () => {
      vi.useFakeTimers();
      const { a, ca } = linkPair({ heartbeatMs: 100, lostAfterMs: 10_000 });
      await vi.advanceTimersByTimeAsync(350);
      expect(ca.sent.length).toBe(3);
      a.close(new FabricError('link-closed', 'done'));
      await vi.advanceTimersByTimeAsync(1000);
      expect(ca.sent.length).toBe(3);
    });
  });
});
