import { describe, expect, it } from 'vitest';
import { FabricError, type FabricErrorCode } from './errors';
import {
  decodeMessage,
  DEFAULT_LIMITS,
  encodeMessage,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION,
  Reassembler,
  toFrames,
  type FrameLimits,
} from './framing';

/** Deterministic pseudo-random bytes (xorshift), so a failure reproduces. */
function bytesOf(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

interface FrameFields {
  magic?: number;
  version?: number;
  messageId?: number;
  chunkIndex?: number;
  chunkCount?: number;
  totalLength?: number;
}

/** Builds one frame by hand, so each header field can be made wrong on its own. */
function craftFrame(fields: FrameFields, chunk: Uint8Array = new Uint8Array(0)): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + chunk.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, fields.magic ?? FRAME_MAGIC);
  view.setUint8(1, fields.version ?? FRAME_VERSION);
  view.setUint32(4, fields.messageId ?? 1, true);
  view.setUint32(8, fields.chunkIndex ?? 0, true);
  view.setUint32(12, fields.chunkCount ?? 1, true);
  view.setUint32(16, fields.totalLength ?? chunk.byteLength, true);
  frame.set(chunk, FRAME_HEADER_BYTES);
  return frame;
}

/** Calls `fn` and returns the FabricError it throws (failing the test when it does not throw one). */
function thrown(fn: () => unknown): FabricError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FabricError);
    return e as FabricError;
  }
  throw new Error('expected a FabricError, but nothing was thrown');
}

function expectFabricError(fn: () => unknown, code: FabricErrorCode, text: RegExp): void {
  const e = thrown(fn);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(text);
}

/** Pushes frames in order; returns every completed message. */
function pushAll(r: Reassembler, frames: readonly Uint8Array[]): Uint8Array[] {
  const done: Uint8Array[] = [];
  for (const f of frames) {
    const whole = r.push(f);
    if (whole) done.push(whole);
  }
  return done;
}

/** Builds a raw message byte string field by field (for lengths that disagree with the bytes). */
function rawMessage(headerBytes: Uint8Array, lengths: readonly number[], body: Uint8Array, count = lengths.length): Uint8Array {
  const out = new Uint8Array(4 + headerBytes.byteLength + 4 + 4 * lengths.length + body.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.byteLength, true);
  out.set(headerBytes, 4);
  let at = 4 + headerBytes.byteLength;
  view.setUint32(at, count, true);
  at += 4;
  for (const len of lengths) {
    view.setUint32(at, len, true);
    at += 4;
  }
  out.set(body, at);
  return out;
}

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

describe('encodeMessage / decodeMessage', () => {
  it('round-trips a header with no payloads', () => {
    const header = { type: 'hello', n: 3, nested: { list: [1, 'two', null], ok: true }, text: 'héllo ✓' };
    const decoded = decodeMessage(encodeMessage(header));
    expect(decoded.header).toEqual(header);
    expect(decoded.payloads).toEqual([]);
  });

  it('lays the message out as documented: u32 header length, header, u32 count, lengths, payloads', () => {
    const bytes = encodeMessage({ a: 1 }, [new Uint8Array([7, 8, 9])]);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getUint32(0, true);
    expect(headerLength).toBe(json({ a: 1 }).byteLength);
    expect(view.getUint32(4 + headerLength, true)).toBe(1);
    expect(view.getUint32(8 + headerLength, true)).toBe(3);
    expect(Array.from(bytes.subarray(12 + headerLength))).toEqual([7, 8, 9]);
  });

  it('round-trips several payloads of different sizes, in order, including an empty one', () => {
    const payloads = [bytesOf(1, 3), new Uint8Array(0), bytesOf(1000, 4), bytesOf(17, 5), new Uint8Array(0)];
    const decoded = decodeMessage(encodeMessage({ type: 'partition', slot: 2 }, payloads));
    expect(decoded.header).toEqual({ type: 'partition', slot: 2 });
    expect(decoded.payloads.map((p) => p.byteLength)).toEqual([1, 0, 1000, 17, 0]);
    decoded.payloads.forEach((p, i) => expect(p).toEqual(payloads[i]));
  });

  it('round-trips a 1 MiB payload byte for byte', () => {
    const big = bytesOf(1024 * 1024 + 13, 42);
    const decoded = decodeMessage(encodeMessage({ type: 'big' }, [big]));
    expect(decoded.payloads).toHaveLength(1);
    expect(decoded.payloads[0]!.byteLength).toBe(big.byteLength);
    expect(Buffer.compare(decoded.payloads[0]!, big)).toBe(0);
  });

  it('decodes a message that sits at an offset inside a larger buffer', () => {
    const message = encodeMessage({ x: 'y' }, [bytesOf(33, 9)]);
    const host = new Uint8Array(message.byteLength + 11);
    host.fill(0xee);
    host.set(message, 5);
    const decoded = decodeMessage(host.subarray(5, 5 + message.byteLength));
    expect(decoded.header).toEqual({ x: 'y' });
    expect(decoded.payloads[0]).toEqual(bytesOf(33, 9));
  });

  it('rejects a header longer than maxHeaderBytes with message-too-large', () => {
    const limits: FrameLimits = { ...DEFAULT_LIMITS, maxHeaderBytes: 32 };
    const message = encodeMessage({ text: 'x'.repeat(64) });
    expectFabricError(() => decodeMessage(message, limits), 'message-too-large', /header of \d+ bytes exceeds the cap of 32/);
    // The same header under a cap that fits it decodes.
    expect(decodeMessage(message, { ...limits, maxHeaderBytes: 1024 }).header).toEqual({ text: 'x'.repeat(64) });
  });

  it('rejects more payloads than maxPayloads, before reading their lengths', () => {
    const limits: FrameLimits = { ...DEFAULT_LIMITS, maxPayloads: 2 };
    const three = encodeMessage({}, [bytesOf(1), bytesOf(1), bytesOf(1)]);
    expectFabricError(() => decodeMessage(three, limits), 'bad-frame', /3 payloads exceeds the cap of 2/);
    expect(decodeMessage(encodeMessage({}, [bytesOf(1), bytesOf(1)]), limits).payloads).toHaveLength(2);
    // A huge claimed count with no bytes behind it is refused by the cap, not by an allocation.
    const claimed = rawMessage(json({}), [], new Uint8Array(0), 0xffffffff);
    expectFabricError(() => decodeMessage(claimed), 'bad-frame', /4294967295 payloads exceeds the cap of 64/);
  });

  it('rejects a header that is not JSON', () => {
    const notJson = rawMessage(new TextEncoder().encode('{not json'), [], new Uint8Array(0));
    expectFabricError(() => decodeMessage(notJson), 'bad-frame', /header is not UTF-8 JSON/);
  });

  it('rejects a header that is not valid UTF-8', () => {
    const badUtf8 = rawMessage(new Uint8Array([0x22, 0xff, 0xfe, 0x22]), [], new Uint8Array(0));
    expectFabricError(() => decodeMessage(badUtf8), 'bad-frame', /header is not UTF-8 JSON/);
  });

  it('rejects trailing bytes after the last payload', () => {
    const message = encodeMessage({ a: 1 }, [bytesOf(4)]);
    const padded = new Uint8Array(message.byteLength + 3);
    padded.set(message);
    expectFabricError(() => decodeMessage(padded), 'bad-frame', /3 trailing bytes after the last payload/);
  });

  it('rejects lengths that run past the end of the message', () => {
    expectFabricError(() => decodeMessage(new Uint8Array(2)), 'bad-frame', /header length needs 4 bytes at offset 0, but the message has 2/);
    const shortHeader = new Uint8Array(8);
    new DataView(shortHeader.buffer).setUint32(0, 100, true);
    expectFabricError(() => decodeMessage(shortHeader), 'bad-frame', /header needs 100 bytes/);
    const noCount = json({});
    const missingCount = new Uint8Array(4 + noCount.byteLength);
    new DataView(missingCount.buffer).setUint32(0, noCount.byteLength, true);
    missingCount.set(noCount, 4);
    expectFabricError(() => decodeMessage(missingCount), 'bad-frame', /payload count needs 4 bytes/);
    expectFabricError(() => decodeMessage(rawMessage(json({}), [], new Uint8Array(0), 2)), 'bad-frame', /payload lengths needs 8 bytes/);
    expectFabricError(() => decodeMessage(rawMessage(json({}), [10], new Uint8Array(4))), 'bad-frame', /payload needs 10 bytes/);
  });
});

describe('toFrames / Reassembler', () => {
  const CHUNK = 100;
  const FRAME = FRAME_HEADER_BYTES + CHUNK;

  it('writes the documented frame header on every frame', () => {
    const message = bytesOf(250);
    const frames = toFrames(0x01020304, message, FRAME);
    expect(frames).toHaveLength(3);
    frames.forEach((f, i) => {
      const view = new DataView(f.buffer, f.byteOffset, f.byteLength);
      expect(view.getUint8(0)).toBe(0xfb);
      expect(view.getUint8(1)).toBe(FRAME_VERSION);
      expect(view.getUint16(2, true)).toBe(0);
      expect(view.getUint32(4, true)).toBe(0x01020304);
      expect(view.getUint32(8, true)).toBe(i);
      expect(view.getUint32(12, true)).toBe(3);
      expect(view.getUint32(16, true)).toBe(250);
      expect(Array.from(f.subarray(FRAME_HEADER_BYTES))).toEqual(Array.from(message.subarray(i * CHUNK, (i + 1) * CHUNK)));
    });
  });

  it('cuts a message of exactly k chunks into k full frames and reassembles it', () => {
    const message = bytesOf(3 * CHUNK, 7);
    const frames = toFrames(1, message, FRAME);
    expect(frames.map((f) => f.byteLength)).toEqual([FRAME, FRAME, FRAME]);
    const r = new Reassembler();
    expect(r.push(frames[0]!)).toBeUndefined();
    expect(r.pending).toBe(1);
    expect(r.push(frames[1]!)).toBeUndefined();
    expect(r.push(frames[2]!)).toEqual(message);
    expect(r.pending).toBe(0);
  });

  it('puts one byte over a chunk boundary into a final 1-byte frame', () => {
    const message = bytesOf(3 * CHUNK + 1, 8);
    const frames = toFrames(1, message, FRAME);
    expect(frames.map((f) => f.byteLength)).toEqual([FRAME, FRAME, FRAME, FRAME_HEADER_BYTES + 1]);
    expect(pushAll(new Reassembler(), frames)).toEqual([message]);
  });

  it('sends an empty message as one frame and gets it back empty', () => {
    const frames = toFrames(9, new Uint8Array(0), FRAME);
    expect(frames).toHaveLength(1);
    const out = pushAll(new Reassembler(), frames);
    expect(out).toHaveLength(1);
    expect(out[0]!.byteLength).toBe(0);
  });

  it('never makes a frame larger than maxFrameBytes (default 256 KiB)', () => {
    const message = bytesOf(600 * 1024, 10);
    const frames = toFrames(1, message);
    expect(Math.max(...frames.map((f) => f.byteLength))).toBe(256 * 1024);
    expect(frames).toHaveLength(3);
    const out = pushAll(new Reassembler(), frames);
    expect(out).toHaveLength(1);
    // Buffer.compare: toEqual walks 600 KiB element by element and takes over a second.
    expect(Buffer.compare(out[0]!, message)).toBe(0);
  });

  it('round-trips an encoded message with payloads through frames', () => {
    const payloads = [bytesOf(1024 * 1024, 11), new Uint8Array(0), bytesOf(5, 12)];
    const frames = toFrames(77, encodeMessage({ type: 'partition' }, payloads), 64 * 1024);
    expect(frames.length).toBeGreaterThan(16);
    const [whole] = pushAll(new Reassembler(), frames);
    const decoded = decodeMessage(whole!);
    expect(decoded.header).toEqual({ type: 'partition' });
    expect(decoded.payloads.map((p) => p.byteLength)).toEqual([1024 * 1024, 0, 5]);
    expect(Buffer.compare(decoded.payloads[0]!, payloads[0]!)).toBe(0);
    expect(decoded.payloads[2]).toEqual(payloads[2]);
  });

  it('reassembles two messages whose frames interleave', () => {
    const a = bytesOf(5 * CHUNK + 7, 21);
    const b = bytesOf(2 * CHUNK + 50, 22);
    const fa = toFrames(1, a, FRAME);
    const fb = toFrames(2, b, FRAME);
    const r = new Reassembler();
    const done: Uint8Array[] = [];
    const order = [fa[0], fb[0], fa[1], fa[2], fb[1], fa[3], fb[2], fa[4], fa[5]];
    for (const f of order) {
      const whole = r.push(f!);
      if (whole) done.push(whole);
      if (done.length === 0) expect(r.pending).toBe(f === fa[0] ? 1 : 2);
    }
    expect(done).toEqual([b, a]);
    expect(r.pending).toBe(0);
  });

  it('reads frames that sit at an offset inside a larger buffer', () => {
    const message = bytesOf(2 * CHUNK + 3, 31);
    const r = new Reassembler();
    const out = pushAll(r, toFrames(5, message, FRAME).map((f) => {
      const host = new Uint8Array(f.byteLength + 9);
      host.set(f, 9);
      return host.subarray(9);
    }));
    expect(out).toEqual([message]);
  });

  it('refuses a maxFrameBytes that leaves no room for data', () => {
    expectFabricError(() => toFrames(1, bytesOf(10), FRAME_HEADER_BYTES), 'bad-input', /maxFrameBytes must exceed 20, got 20/);
  });

  describe('limits', () => {
    it('rejects a message whose declared length is over maxMessageBytes, on its first frame', () => {
      const r = new Reassembler({ ...DEFAULT_LIMITS, maxMessageBytes: 1000 });
      const frames = toFrames(3, bytesOf(1001), FRAME);
      expectFabricError(() => r.push(frames[0]!), 'message-too-large', /message 3 of 1001 bytes exceeds the cap of 1000/);
      expect(r.pending).toBe(0);
      // A message of exactly the cap passes.
      expect(pushAll(new Reassembler({ ...DEFAULT_LIMITS, maxMessageBytes: 1000 }), toFrames(4, bytesOf(1000), FRAME))).toHaveLength(1);
    });

    it('rejects a declared length over the default 256 MiB cap without allocating it', () => {
      const frame = craftFrame({ totalLength: 0xffffffff, chunkCount: 2 }, bytesOf(10));
      expectFabricError(() => new Reassembler().push(frame), 'message-too-large', /4294967295 bytes exceeds the cap of 268435456/);
    });

    it('rejects more partial messages than maxPartialMessages', () => {
      const r = new Reassembler({ ...DEFAULT_LIMITS, maxPartialMessages: 2 });
      expect(r.push(toFrames(1, bytesOf(2 * CHUNK), FRAME)[0]!)).toBeUndefined();
      expect(r.push(toFrames(2, bytesOf(2 * CHUNK), FRAME)[0]!)).toBeUndefined();
      expectFabricError(() => r.push(toFrames(3, bytesOf(2 * CHUNK), FRAME)[0]!), 'bad-frame', /more than 2 messages in progress at once/);
    });

    it('counts only messages still in progress toward maxPartialMessages', () => {
      const r = new Reassembler({ ...DEFAULT_LIMITS, maxPartialMessages: 1 });
      for (let id = 1; id <= 5; id++) expect(pushAll(r, toFrames(id, bytesOf(2 * CHUNK, id), FRAME))).toHaveLength(1);
      expect(r.pending).toBe(0);
    });
  });

  describe('malformed frames', () => {
    it('rejects a frame shorter than the header', () => {
      expectFabricError(() => new Reassembler().push(new Uint8Array(19)), 'bad-frame', /frame of 19 bytes is shorter than the 20-byte header/);
    });

    it('rejects a wrong magic byte', () => {
      expectFabricError(() => new Reassembler().push(craftFrame({ magic: 0x7b }, bytesOf(4))), 'bad-frame', /starts with 0x7b 0x1, expected magic 0xfb/);
    });

    it('rejects a wrong version', () => {
      expectFabricError(() => new Reassembler().push(craftFrame({ version: 2 }, bytesOf(4))), 'bad-frame', /0xfb 0x2, expected magic 0xfb and version 1/);
    });

    it('rejects a chunk index at or past the chunk count, and a zero chunk count', () => {
      expectFabricError(() => new Reassembler().push(craftFrame({ chunkIndex: 2, chunkCount: 2, messageId: 6 }, bytesOf(4))), 'bad-frame', /chunk 2 of 2 is out of range \(message 6\)/);
      expectFabricError(() => new Reassembler().push(craftFrame({ chunkIndex: 0, chunkCount: 0 }, bytesOf(4))), 'bad-frame', /chunk 0 of 0 is out of range/);
    });

    it('rejects a message that starts without chunk 0', () => {
      const frames = toFrames(8, bytesOf(3 * CHUNK), FRAME);
      expectFabricError(() => new Reassembler().push(frames[1]!), 'bad-frame', /message 8 starts at chunk 1, expected chunk 0/);
    });

    it('rejects a chunk out of order and forgets the broken message', () => {
      const frames = toFrames(8, bytesOf(3 * CHUNK), FRAME);
      const r = new Reassembler();
      r.push(frames[0]!);
      expectFabricError(() => r.push(frames[2]!), 'bad-frame', /message 8 got chunk 2\/3 \(length 300\), expected chunk 1\/3 \(length 300\)/);
      expect(r.pending).toBe(0);
    });

    it('rejects a later frame whose chunk count or length disagrees with the first', () => {
      const r = new Reassembler();
      r.push(craftFrame({ chunkCount: 3, totalLength: 300 }, bytesOf(CHUNK)));
      expectFabricError(() => r.push(craftFrame({ chunkIndex: 1, chunkCount: 3, totalLength: 301 }, bytesOf(CHUNK))), 'bad-frame', /got chunk 1\/3 \(length 301\), expected chunk 1\/3 \(length 300\)/);
      const r2 = new Reassembler();
      r2.push(craftFrame({ chunkCount: 3, totalLength: 300 }, bytesOf(CHUNK)));
      expectFabricError(() => r2.push(craftFrame({ chunkIndex: 1, chunkCount: 4, totalLength: 300 }, bytesOf(CHUNK))), 'bad-frame', /got chunk 1\/4/);
    });

    it('rejects chunks that overflow the declared length', () => {
      expectFabricError(() => new Reassembler().push(craftFrame({ totalLength: 5 }, bytesOf(10))), 'bad-frame', /message 1 overflows its declared length of 5 bytes/);
      const r = new Reassembler();
      r.push(craftFrame({ chunkCount: 2, totalLength: 150 }, bytesOf(CHUNK)));
      expectFabricError(() => r.push(craftFrame({ chunkIndex: 1, chunkCount: 2, totalLength: 150 }, bytesOf(CHUNK))), 'bad-frame', /overflows its declared length of 150 bytes/);
      expect(r.pending).toBe(0);
    });

    it('rejects a message whose last chunk leaves it short of its declared length', () => {
      const r = new Reassembler();
      r.push(craftFrame({ chunkCount: 2, totalLength: 300 }, bytesOf(CHUNK)));
      expectFabricError(() => r.push(craftFrame({ chunkIndex: 1, chunkCount: 2, totalLength: 300 }, bytesOf(CHUNK))), 'bad-frame', /message 1 ended after 200 of 300 bytes/);
      expect(r.pending).toBe(0);
    });

    it('keeps other messages intact when one message breaks', () => {
      const good = bytesOf(2 * CHUNK + 1, 40);
      const goodFrames = toFrames(1, good, FRAME);
      const r = new Reassembler();
      r.push(goodFrames[0]!);
      r.push(craftFrame({ messageId: 2, chunkCount: 2, totalLength: 150 }, bytesOf(CHUNK)));
      expect(() => r.push(craftFrame({ messageId: 2, chunkIndex: 1, chunkCount: 2, totalLength: 150 }, bytesOf(CHUNK)))).toThrow(FabricError);
      expect(pushAll(r, goodFrames.slice(1))).toEqual([good]);
    });
  });
});
