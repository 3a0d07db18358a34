/**
 * Property test of the coordinator's side of a volunteer link, driven by a forged peer: random
 * scripts of hellos (right, wrong, garbage tokens), valid and mutated messages, raw bytes, and
 * replies to tasks the coordinator really sent, never sent, already settled, or of the wrong kind.
 * The real MessageLink, admission and VolunteerNode run over an in-memory channel; only the
 * transport is replaced.
 *
 * Invariants: nothing a peer sends throws out of the link; a link closes only with a wire code
 * (never `internal`, which would mean our own handler threw); the link closes at the first
 * violation with the expected code; honest replies resolve their task; and when the link closes,
 * every task still waiting on it settles (nothing hangs).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ByteChannel } from '../link/byte-channel';
import { MessageLink } from '../link/message-link';
import { FabricError, type FabricErrorCode } from '../protocol/errors';
import { encodeMessage, toFrames } from '../protocol/framing';
import { PROTOCOL_VERSION, VolunteerMessageSchema, type CoordinatorMessage, type VolunteerMessage } from '../protocol/messages';
import { admit, REFUSE_GRACE_MS, VOLUNTEER_LIMITS, type VolunteerLink } from './admission';
import { JoinRateLimiter } from './join-guard';
import type { VolunteerNode } from './volunteer-node';

const TOKEN = 'right-token-0123456789';
/** Codes a link may close with because of what its peer sent (or because it said bye). */
const WIRE_CODES: readonly FabricErrorCode[] = ['bad-frame', 'message-too-large', 'schema-mismatch', 'bad-token', 'bad-input', 'protocol-violation', 'rate-limited', 'link-closed'];

/** The coordinator's end of a channel; the test plays the peer by calling `deliver`. */
class ForgedPeerChannel implements ByteChannel {
  readonly bufferedAmount = 0;
  readonly maxMessageBytes = 256 * 1024;
  /** What the coordinator sent, decoded by type, so the test can answer real tasks. */
  readonly sent: Uint8Array[] = [];
  private onMsg: ((b: Uint8Array) => void) | undefined;
  private readonly onCloseCbs: (() => void)[] = [];
  closed = false;
  send(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.closed) throw new Error('closed');
    this.sent.push(bytes);
  }
  whenDrained(_t: number, cb: () => void): void {
    cb();
  }
  onMessage(cb: (b: Uint8Array) => void): void {
    this.onMsg = cb;
  }
  onClose(cb: () => void): void {
    this.onCloseCbs.push(cb);
  }
  close(): void {
    this.closed = true;
  }
  deliver(frame: Uint8Array): void {
    if (!this.closed) this.onMsg?.(frame);
  }
}

const probe = { chosen: 'wasm' as const, gflops: 3, measurements: [], crossOriginIsolated: true };
const hello = (token: string): VolunteerMessage => ({ type: 'hello', protocol: PROTOCOL_VERSION, token, name: 'forged', userAgent: 'fc', slots: [probe, probe] });
const describeResult = { rows: 3, columns: [] };

type Action =
  | { k: 'hello'; token: 'right' | 'wrong' | string }
  | { k: 'benign'; msg: 'heartbeat' | 'status' }
  | { k: 'dispatch'; slot: 0 | 1 }
  | { k: 'answer'; which: 'sent' | 'replay' | 'never' | 'wrong-kind' | 'failed' | 'cached-never' }
  | { k: 'garbage'; bytes: Uint8Array }
  | { k: 'second-hello' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(fc.constant('right'), fc.constant('wrong'), fc.string({ maxLength: 40 })).map((token) => ({ k: 'hello' as const, token })) },
  { weight: 4, arbitrary: fc.constantFrom('heartbeat' as const, 'status' as const).map((msg) => ({ k: 'benign' as const, msg })) },
  { weight: 4, arbitrary: fc.constantFrom(0 as const, 1 as const).map((slot) => ({ k: 'dispatch' as const, slot })) },
  { weight: 5, arbitrary: fc.constantFrom('sent', 'replay', 'never', 'wrong-kind', 'failed', 'cached-never').map((which) => ({ k: 'answer' as const, which: which as Extract<Action, { k: 'answer' }>['which'] })) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 64 }).map((bytes) => ({ k: 'garbage' as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ k: 'second-hello' as const }) },
);

const open: MessageLink<unknown, unknown>[] = [];
afterEach(() => {
  for (const l of open.splice(0)) l.close(new FabricError('link-closed', 'test over'));
});

interface Harness {
  readonly channel: ForgedPeerChannel;
  readonly link: VolunteerLink;
  node: VolunteerNode | undefined;
  messageId: number;
}

function harness(): Harness {
  const channel = new ForgedPeerChannel();
  const link: VolunteerLink = new MessageLink<VolunteerMessage, CoordinatorMessage>(channel, {
    schema: VolunteerMessageSchema, heartbeat: () => ({ type: 'heartbeat', sentAt: 0 }), heartbeatMs: 1_000_000, lostAfterMs: 10_000_000, limits: VOLUNTEER_LIMITS, label: 'forged',
  });
  open.push(link as MessageLink<unknown, unknown>);
  const h: Harness = { channel, link, node: undefined, messageId: 1 };
  let n = 0;
  admit(link, 'forged', {
    token: TOKEN, limiter: new JoinRateLimiter(), heartbeatMs: 1000, lostAfterMs: 10_000, helloTimeoutMs: 1_000_000,
    store: { bytes: () => new Uint8Array(0), artifactBytes: () => new Uint8Array(0) },
    nextNodeId: () => `v${++n}`,
    onVolunteer: (node) => (h.node = node),
    onRefused: () => undefined,
    log: () => undefined,
  });
  return h;
}

function closeReasonOf(link: VolunteerLink): FabricError | undefined {
  return link.closeReason;
}

/** Sends a message from the forged peer, cut into frames of `frameBytes`. */
function send(h: Harness, msg: unknown, frameBytes = 256 * 1024): void {
  for (const f of toFrames(h.messageId++, encodeMessage(msg), frameBytes)) h.channel.deliver(f);
}

describe('a forged peer against admission and the volunteer node (fast-check)', () => {
  it('closes at the first violation with its code, never throws, never hangs a task', async () => {
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 25 }), fc.integer({ min: 21, max: 300 }), async (script, frameBytes) => {
      const h = harness();
      /** Tasks sent and not yet answered by the forged peer, and those already answered. */
      const outstanding: { slot: number; taskId: string; done: Promise<unknown> }[] = [];
      const answered: { slot: number; taskId: string }[] = [];
      const all: Promise<unknown>[] = [];
      let seq = 0;
      let tainted = false;
      for (const a of script) {
        if (h.link.closeReason) break;
        let expectClose: FabricErrorCode | 'maybe' | undefined;
        if (a.k === 'hello') {
          const wasJoined = h.node !== undefined;
          const token = a.token === 'right' ? TOKEN : a.token === 'wrong' ? 'wrong' : a.token;
          send(h, hello(token), frameBytes);
          if (wasJoined) expectClose = 'protocol-violation';
          else if (token !== TOKEN) expectClose = 'bad-token';
          else if (!tainted) expect(h.node).toBeDefined();
        } else if (a.k === 'benign') {
          send(h, a.msg === 'heartbeat' ? { type: 'heartbeat', sentAt: 1 } : { type: 'status', text: 's' }, frameBytes);
          if (!h.node) expectClose = 'protocol-violation';
        } else if (a.k === 'dispatch') {
          if (!h.node) continue;
          const taskId = `t${++seq}`;
          const done = h.node.execute(a.slot, { taskId, kind: 'describe', params: {}, partitions: [] });
          const settled = done.then((r) => r, (e: unknown) => e);
          all.push(settled);
          await Promise.resolve(); // let the node send the task
          outstanding.push({ slot: a.slot, taskId, done: settled });
        } else if (a.k === 'answer') {
          const result = (slot: number, taskId: string, r: unknown): unknown => ({ type: 'result', slot, taskId, reply: { ok: true, result: r, ms: 1 } });
          if (a.which === 'sent' && outstanding.length > 0) {
            const t = outstanding.shift()!;
            send(h, result(t.slot, t.taskId, describeResult), frameBytes);
            answered.push(t);
            expect(await t.done).toEqual({ result: describeResult, binary: [] });
          } else if (a.which === 'failed' && outstanding.length > 0) {
            const t = outstanding.shift()!;
            send(h, { type: 'result', slot: t.slot, taskId: t.taskId, reply: { ok: false, error: { code: 'task-failed', message: 'boom' } } }, frameBytes);
            answered.push(t);
            expect(((await t.done) as FabricError).code).toBe('task-failed');
          } else if (a.which === 'wrong-kind' && outstanding.length > 0) {
            const t = outstanding.shift()!;
            send(h, result(t.slot, t.taskId, { loss: 0.5, status: 'ok' }), frameBytes);
            expectClose = 'schema-mismatch';
          } else if (a.which === 'replay' && answered.length > 0) {
            const t = answered[0]!;
            send(h, result(t.slot, t.taskId, describeResult), frameBytes);
            expectClose = 'protocol-violation';
          } else if (a.which === 'cached-never') {
            send(h, { type: 'cached', slot: 0, id: 'never-sent', reply: { ok: true } }, frameBytes);
            expectClose = 'protocol-violation';
          } else {
            send(h, result(0, `never-${seq}`, describeResult), frameBytes);
            expectClose = 'protocol-violation';
          }
        } else if (a.k === 'garbage') {
          h.channel.deliver(a.bytes);
          expectClose = 'maybe';
          // Bytes that happen to start a frame leave a partial message behind; later messages may
          // then be judged against it, so only the wire-code invariant is checked after this.
          tainted = true;
        } else {
          const wasJoined = h.node !== undefined;
          send(h, hello(TOKEN), frameBytes);
          if (wasJoined) expectClose = 'protocol-violation';
        }
        if (expectClose === 'bad-token') {
          // A refusal tells the peer why, then closes; the link stops reading at once.
          await new Promise((r) => setTimeout(r, REFUSE_GRACE_MS + 50));
        }
        // Read through a call: the loop's guard above narrowed the getter to undefined for TypeScript.
        const reason = closeReasonOf(h.link);
        if (reason) expect(WIRE_CODES, reason.message).toContain(reason.code);
        if (tainted) continue;
        if (expectClose && expectClose !== 'maybe') {
          expect(reason?.code, `after ${JSON.stringify(a)}`).toBe(expectClose);
          break;
        }
        expect(reason, `after ${JSON.stringify(a)}`).toBeUndefined();
      }
      h.link.close(new FabricError('link-closed', 'script over'));
      // Every task the coordinator sent has settled: answered, or rejected as worker-lost.
      for (const s of await Promise.all(all)) {
        if (s instanceof FabricError) expect(['worker-lost', 'task-failed']).toContain(s.code);
        else expect(s).toEqual({ result: describeResult, binary: [] });
      }
    }), { numRuns: 300, seed: 3 });
  });

  it('a well-behaved peer that answers every task it was sent stays joined', async () => {
    const h = harness();
    send(h, hello(TOKEN));
    expect(h.node).toBeDefined();
    for (let i = 0; i < 50; i++) {
      const p = h.node!.execute(i % 2, { taskId: `ok-${i}`, kind: 'describe', params: {}, partitions: [] });
      await Promise.resolve();
      send(h, { type: 'heartbeat', sentAt: i }, 64);
      send(h, { type: 'result', slot: i % 2, taskId: `ok-${i}`, reply: { ok: true, result: describeResult, ms: 1 } }, 64);
      expect(await p).toEqual({ result: describeResult, binary: [] });
    }
    expect(h.link.closeReason).toBeUndefined();
    expect(h.link.stats.framesIn).toBeGreaterThan(100);
  });
});
