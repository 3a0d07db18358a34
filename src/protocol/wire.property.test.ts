/**
 * Property tests of the wire: the decoder and the schemas take arbitrary and mutated bytes and
 * must never throw anything but a FabricError with a wire code, and valid messages must survive
 * the trip. Seeds are fixed (fast-check prints the failing seed and path, so a failure reproduces).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FabricError, type FabricErrorCode } from './errors';
import { decodeMessage, DEFAULT_LIMITS, encodeMessage, FRAME_HEADER_BYTES, Reassembler, toFrames, type FrameLimits } from './framing';
import { CoordinatorMessageSchema, VolunteerMessageSchema } from './messages';

/** Codes the framing layer may raise for bytes a peer sent. */
const FRAME_CODES: readonly FabricErrorCode[] = ['bad-frame', 'message-too-large'];
/** Small caps, so "huge" declared sizes are reached without allocating much. */
const LIMITS: FrameLimits = { maxMessageBytes: 64 * 1024, maxHeaderBytes: 16 * 1024, maxPartialMessages: 4, maxPayloads: 8 };
const RUNS = { numRuns: 2000, seed: 7 };

/** Pushes frames, then decodes what completes; returns the messages or the FabricError thrown. */
function receive(frames: readonly Uint8Array[]): { messages: ReturnType<typeof decodeMessage>[]; error?: FabricError } {
  const r = new Reassembler(LIMITS);
  const messages: ReturnType<typeof decodeMessage>[] = [];
  try {
    for (const f of frames) {
      const whole = r.push(f);
      if (whole) messages.push(decodeMessage(whole, LIMITS));
    }
    return { messages };
  } catch (e) {
    if (!(e instanceof FabricError)) throw new Error(`a non-FabricError escaped: ${String(e)}`, { cause: e });
    return { messages, error: e };
  }
}

const probe = { chosen: 'wasm', gflops: 3, measurements: [{ backend: 'wasm', ok: true, gflops: 3 }], crossOriginIsolated: true };
/** One valid example of every message a volunteer sends. */
const VALID_VOLUNTEER = [
  { type: 'hello', protocol: 1, token: 'tok', name: 'n', userAgent: 'ua', slots: [probe] },
  { type: 'heartbeat', sentAt: 1 },
  { type: 'cached', slot: 0, id: 'p0', reply: { ok: true } },
  { type: 'cached', slot: 0, id: 'p0', reply: { ok: false, error: { code: 'not-cached', message: 'gone' } } },
  { type: 'result', slot: 0, taskId: 't1', reply: { ok: true, result: { rows: 1, columns: [] }, ms: 2 } },
  { type: 'result', slot: 1, taskId: 't2', reply: { ok: false, error: { code: 'task-failed', message: 'x' } } },
  { type: 'status', text: 'ok' },
  { type: 'bye', reason: 'done' },
] as const;

/** Values of every JSON type, and a few that are hostile in JS (prototype keys, huge numbers). */
const wrongValue = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.constant(-1), fc.constant(2 ** 53), fc.constant(1e308),
  fc.string({ maxLength: 20 }), fc.constant('x'.repeat(70_000)), fc.array(fc.integer(), { maxLength: 3 }),
  fc.constant({}), fc.constant({ __proto__: { polluted: true } }), fc.constant({ constructor: { prototype: {} } }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A copy of `value` with the field at `path` set to `replacement` (or deleted). */
function mutateField(value: unknown, path: readonly (string | number)[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const copy: Record<string | number, unknown> = Array.isArray(value) ? [...value] as unknown as Record<number, unknown> : { ...(value as object) } as Record<string, unknown>;
  const [head, ...rest] = path;
  if (rest.length === 0 && remove) delete copy[head!];
  else copy[head!] = mutateField(copy[head!], rest, replacement, remove);
  return copy;
}

/** Every path to a field of a JSON value, the root excluded. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const out: (string | number)[][] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = [...prefix, Array.isArray(value) ? Number(k) : k];
    out.push(p, ...paths(v, p));
  }
  return out;
}

describe('wire properties (fast-check)', () => {
  it('valid messages round-trip through frames of any size, with payloads', () => {
    fc.assert(fc.property(
      fc.jsonValue({ maxDepth: 4 }), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), fc.integer({ min: FRAME_HEADER_BYTES + 1, max: 400 }), fc.nat(2 ** 32 - 1),
      (header, payloads, frameBytes, id) => {
        const bytes = encodeMessage(header, payloads);
        fc.pre(bytes.byteLength <= LIMITS.maxMessageBytes);
        const { messages, error } = receive(toFrames(id, bytes, frameBytes));
        expect(error).toBeUndefined();
        expect(messages).toHaveLength(1);
        // JSON has one spelling of -0 and of undefined-in-arrays: compare through JSON.
        expect(messages[0]!.header).toEqual(JSON.parse(JSON.stringify(header)));
        expect(messages[0]!.payloads.map((p) => [...p])).toEqual(payloads.map((p) => [...p]));
      }), RUNS);
  });

  it('arbitrary bytes as frames raise only bad-frame or message-too-large', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 6 }), (frames) => {
      const { error } = receive(frames);
      if (error) expect(FRAME_CODES).toContain(error.code);
    }), RUNS);
  });

  it('mutated frames of a valid message (flipped bytes, truncation, bad header fields, huge sizes) raise only wire codes', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
      fc.record({ kind: fc.constant('field' as const), offset: fc.constantFrom(4, 8, 12, 16), value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 2 ** 31, 2 ** 32 - 1)) }),
      fc.record({ kind: fc.constant('drop' as const) }),
      fc.record({ kind: fc.constant('duplicate' as const) }),
    );
    fc.assert(fc.property(
      fc.constantFrom(...VALID_VOLUNTEER), fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 2 }), fc.integer({ min: FRAME_HEADER_BYTES + 1, max: 120 }),
      fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 3 }),
      (msg, payloads, frameBytes, mutations) => {
        const frames = toFrames(9, encodeMessage(msg, payloads), frameBytes).map((f) => f.slice());
        for (const [pick, m] of mutations) {
          const i = pick % frames.length;
          const f = frames[i]!;
          if (m.kind === 'flip') f[m.at % f.length]! ^= m.xor;
          else if (m.kind === 'truncate') frames[i] = f.subarray(0, m.keep % f.length);
          else if (m.kind === 'field' && f.length >= m.offset + 4) new DataView(f.buffer, f.byteOffset).setUint32(m.offset, m.value, true);
          else if (m.kind === 'drop' && frames.length > 1) frames.splice(i, 1);
          else if (m.kind === 'duplicate') frames.splice(i, 0, f.slice());
        }
        const { messages, error } = receive(frames);
        if (error) expect(FRAME_CODES).toContain(error.code);
        // Whatever decoded is only parsed by the schema, which must not throw either.
        for (const decoded of messages) VolunteerMessageSchema.safeParse(decoded.header);
      }), RUNS);
  });

  it('a declared size past the cap is refused at the first frame, before any allocation', () => {
    fc.assert(fc.property(fc.integer({ min: LIMITS.maxMessageBytes + 1, max: 2 ** 32 - 1 }), (total) => {
      const f = toFrames(1, new Uint8Array(4), 64)[0]!;
      new DataView(f.buffer).setUint32(16, total, true);
      expect(receive([f]).error?.code).toBe('message-too-large');
    }), RUNS);
  });

  it('every field of every volunteer message, given a wrong value or removed, fails the schema without throwing', () => {
    const cases = VALID_VOLUNTEER.flatMap((msg) => paths(msg).map((p) => ({ msg, path: p })));
    fc.assert(fc.property(fc.constantFrom(...cases), wrongValue, fc.boolean(), ({ msg, path }, value, remove) => {
      const mutated = mutateField(msg, path, value, remove);
      const parsed = VolunteerMessageSchema.safeParse(mutated);
      // A replacement may happen to be valid (a string for a string); what matters is no throw,
      // and that what passes is what the schema describes (checked by a second parse of its output).
      if (parsed.success) expect(VolunteerMessageSchema.safeParse(parsed.data).success).toBe(true);
      // Prototype keys never reach the parsed object as own properties that pollute Object.prototype.
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }), { numRuns: 3000, seed: 11 });
    // A value of no JSON type fails every field, checked exhaustively rather than by sampling,
    // except inside a task's `result`, which the message schema leaves to the kind's own schema
    // (checked by the coordinator's node before anything reads it: see admission.property.test.ts).
    for (const { msg, path } of cases) {
      const mutated = mutateField(msg, path, Symbol.for('not json') as unknown, false);
      expect(VolunteerMessageSchema.safeParse(mutated).success, `${msg.type} at ${path.join('.')}`).toBe(path.includes('result'));
    }
  });

  it('arbitrary JSON never passes for a message it is not, and parsing never throws', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const v = VolunteerMessageSchema.safeParse(value);
      const c = CoordinatorMessageSchema.safeParse(value);
      if (v.success) expect(['hello', 'heartbeat', 'cached', 'result', 'status', 'bye']).toContain(v.data.type);
      if (c.success) expect(c.data.type).toBeTypeOf('string');
    }), RUNS);
  });

  it('the default limits are the ones the properties rely on being finite', () => {
    expect(Number.isFinite(DEFAULT_LIMITS.maxMessageBytes)).toBe(true);
    expect(DEFAULT_LIMITS.maxPartialMessages).toBeGreaterThan(0);
  });
});
