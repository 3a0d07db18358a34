import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FabricError, isErrorCode, type FabricErrorCode } from './errors';
import { CoordinatorMessageSchema, PartitionRefSchema, ProbeReportSchema, PROTOCOL_VERSION, SerializedErrorSchema, VolunteerMessageSchema } from './messages';
import { ColumnMomentsSchema, DescribeParamsSchema, DescribeResultSchema, isTaskKind, TASK_KINDS } from './tasks';

const probe = {
  chosen: 'wasm',
  gflops: 12.5,
  measurements: [
    { backend: 'webgpu', ok: false, reason: 'navigator.gpu is undefined' },
    { backend: 'wasm', ok: true, gflops: 12.5 },
    { backend: 'cpu', ok: true, gflops: 0.4 },
  ],
  crossOriginIsolated: true,
};

const hello = {
  type: 'hello',
  protocol: PROTOCOL_VERSION,
  token: 'a'.repeat(32),
  name: 'lab-pc-7',
  userAgent: 'Mozilla/5.0',
  slots: [probe, { ...probe, chosen: 'cpu', gflops: 0.4, gpu: 'google / swiftshader' }],
};

const hash = 'ab'.repeat(32);
const ref = { id: 'd1/0', index: 0, rowStart: 0, numRows: 100, byteLength: 4096, hash };

const validVolunteer = {
  hello,
  heartbeat: { type: 'heartbeat', sentAt: 1_700_000_000_000 },
  resultOk: { type: 'result', slot: 0, taskId: 't-1', reply: { ok: true, result: { rows: 3 }, ms: 12.5 } },
  resultErr: { type: 'result', slot: 1, taskId: 't-2', reply: { ok: false, error: { code: 'bad-input', message: 'describe: column "x" is not in the dataset' } } },
  cachedOk: { type: 'cached', slot: 0, id: 'd1/0', reply: { ok: true } },
  cachedErr: { type: 'cached', slot: 0, id: 'd1/0', reply: { ok: false, error: { code: 'task-failed', message: 'damaged', stack: 'at x' } } },
  status: { type: 'status', text: 'probing backends' },
  slotReport: { type: 'slot-report', slot: 0, report: { ...probe, chosen: 'wasm', deviceLost: { count: 1, backend: 'webgpu', kernel: 'webgpu', detail: 'tfjs: WebGPU device lost (destroyed); fell back to wasm' } } },
  rename: { type: 'rename', name: 'Sam' },
  bye: { type: 'bye', reason: 'tab closed' },
};

/** The first issue's path, joined, for a message that must fail. */
function failurePath(schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } }, value: unknown): string {
  const r = schema.safeParse(value);
  expect(r.success, `expected ${JSON.stringify(value).slice(0, 200)} to be rejected`).toBe(false);
  return r.error!.issues[0]!.path.map(String).join('.');
}

describe('VolunteerMessageSchema', () => {
  it.each(Object.entries(validVolunteer))('accepts a valid %s message, keeping its fields', (_name, msg) => {
    const r = VolunteerMessageSchema.safeParse(msg);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(msg);
  });

  it('rejects an unknown type', () => {
    expect(VolunteerMessageSchema.safeParse({ type: 'shutdown', reason: 'x' }).success).toBe(false);
    expect(VolunteerMessageSchema.safeParse({ reason: 'no type' }).success).toBe(false);
    // A coordinator-only message is not a volunteer message.
    expect(VolunteerMessageSchema.safeParse({ type: 'welcome', nodeId: 'n', heartbeatMs: 1, lostAfterMs: 2 }).success).toBe(false);
  });

  it('rejects fields of the wrong type', () => {
    expect(failurePath(VolunteerMessageSchema, { ...hello, protocol: '1' })).toBe('protocol');
    expect(failurePath(VolunteerMessageSchema, { ...hello, protocol: 1.5 })).toBe('protocol');
    expect(failurePath(VolunteerMessageSchema, { type: 'heartbeat', sentAt: 'now' })).toBe('sentAt');
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.resultOk, slot: 0.5 })).toBe('slot');
    expect(failurePath(VolunteerMessageSchema, { ...hello, slots: [{ ...probe, chosen: 'webgl' }] })).toBe('slots.0.chosen');
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.cachedOk, reply: { ok: 'yes' } })).toBe('reply');
  });

  it('rejects missing fields', () => {
    const { token: _token, ...noToken } = hello;
    expect(failurePath(VolunteerMessageSchema, noToken)).toBe('token');
    expect(failurePath(VolunteerMessageSchema, { type: 'heartbeat' })).toBe('sentAt');
    expect(failurePath(VolunteerMessageSchema, { type: 'result', slot: 0, reply: validVolunteer.resultOk.reply })).toBe('taskId');
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.resultOk, reply: { ok: true, result: 1 } })).toBe('reply.ms');
    expect(failurePath(VolunteerMessageSchema, { type: 'bye' })).toBe('reason');
  });

  it('caps the token at 256 characters', () => {
    expect(VolunteerMessageSchema.safeParse({ ...hello, token: 't'.repeat(256) }).success).toBe(true);
    expect(failurePath(VolunteerMessageSchema, { ...hello, token: 't'.repeat(257) })).toBe('token');
  });

  it('caps the name at 64 characters', () => {
    expect(VolunteerMessageSchema.safeParse({ ...hello, name: 'n'.repeat(64) }).success).toBe(true);
    expect(failurePath(VolunteerMessageSchema, { ...hello, name: 'n'.repeat(65) })).toBe('name');
  });

  it('caps other strings: user agent, status text, bye reason, error message, task id', () => {
    expect(failurePath(VolunteerMessageSchema, { ...hello, userAgent: 'u'.repeat(513) })).toBe('userAgent');
    expect(failurePath(VolunteerMessageSchema, { type: 'status', text: 's'.repeat(513) })).toBe('text');
    expect(failurePath(VolunteerMessageSchema, { type: 'bye', reason: 'r'.repeat(513) })).toBe('reason');
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.resultErr, reply: { ok: false, error: { code: 'internal', message: 'm'.repeat(8193) } } })).toBe('reply.error.message');
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.resultOk, taskId: 'x'.repeat(257) })).toBe('taskId');
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.resultOk, taskId: '' })).toBe('taskId');
  });

  it('takes 1 to 256 slots, no more and no fewer', () => {
    expect(VolunteerMessageSchema.safeParse({ ...hello, slots: Array.from({ length: 256 }, () => probe) }).success).toBe(true);
    expect(failurePath(VolunteerMessageSchema, { ...hello, slots: Array.from({ length: 257 }, () => probe) })).toBe('slots');
    expect(failurePath(VolunteerMessageSchema, { ...hello, slots: [] })).toBe('slots');
  });

  it('rejects negative numbers where counts and sizes are expected', () => {
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.resultOk, slot: -1 })).toBe('slot');
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.cachedOk, slot: -1 })).toBe('slot');
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.resultOk, reply: { ok: true, result: null, ms: -0.5 } })).toBe('reply.ms');
    expect(failurePath(VolunteerMessageSchema, { ...hello, slots: [{ ...probe, gflops: -1 }] })).toBe('slots.0.gflops');
  });

  it('rejects an error code that is not in the table', () => {
    expect(failurePath(VolunteerMessageSchema, { ...validVolunteer.resultErr, reply: { ok: false, error: { code: 'oops', message: 'x' } } })).toBe('reply.error.code');
  });
});

describe('classroom messages', () => {
  it('caps a new nickname at 64 characters, as the hello does', () => {
    expect(failurePath(VolunteerMessageSchema, { type: 'rename', name: 'n'.repeat(65) })).toBe('name');
  });

  it('takes slowdown factors from 1 to 100 only', () => {
    for (const factor of [0, 0.5, 101, Number.NaN]) expect(failurePath(CoordinatorMessageSchema, { type: 'slowdown', factor })).toBe('factor');
  });

  it('rejects a standing with a share outside 0 to 1, or a rank of 0', () => {
    const standing = { tasksDone: 1, share: 0.5, rank: 1, of: 2 };
    expect(failurePath(CoordinatorMessageSchema, { type: 'standing', standing: { ...standing, share: 1.5 } })).toBe('standing.share');
    expect(failurePath(CoordinatorMessageSchema, { type: 'standing', standing: { ...standing, rank: 0 } })).toBe('standing.rank');
    expect(failurePath(CoordinatorMessageSchema, { type: 'standing', standing: { ...standing, tasksDone: -1 } })).toBe('standing.tasksDone');
  });
});

describe('CoordinatorMessageSchema', () => {
  const task = { type: 'task', slot: 1, task: { taskId: 't-9', kind: 'describe', params: { columns: ['delay'] }, partitions: [ref], artifacts: [] } };

  it('accepts each valid coordinator message', () => {
    for (const msg of [
      { type: 'welcome', nodeId: 'node-1', heartbeatMs: 1000, lostAfterMs: 5000 },
      { type: 'reject', code: 'bad-token', reason: 'wrong room token' },
      { type: 'heartbeat', sentAt: 5 },
      { type: 'partition', slot: 0, ref },
      task,
      { type: 'slowdown', factor: 5 },
      { type: 'standing', standing: { tasksDone: 12, share: 0.25, rank: 2, of: 13 } },
    ]) {
      expect(CoordinatorMessageSchema.safeParse(msg).data).toEqual(msg);
    }
  });

  it('rejects a partition whose hash is not 64 lowercase hex digits', () => {
    for (const bad of ['ab'.repeat(31), 'ab'.repeat(33), 'AB'.repeat(32), `${'ab'.repeat(31)}zz`, '']) {
      expect(failurePath(CoordinatorMessageSchema, { type: 'partition', slot: 0, ref: { ...ref, hash: bad } })).toBe('ref.hash');
    }
    expect(failurePath(CoordinatorMessageSchema, { ...task, task: { ...task.task, partitions: [{ ...ref, hash: 'x' }] } })).toBe('task.partitions.0.hash');
  });

  it('rejects negative or fractional partition numbers and non-positive heartbeat periods', () => {
    expect(failurePath(CoordinatorMessageSchema, { type: 'partition', slot: 0, ref: { ...ref, index: -1 } })).toBe('ref.index');
    expect(failurePath(CoordinatorMessageSchema, { type: 'partition', slot: 0, ref: { ...ref, numRows: -5 } })).toBe('ref.numRows');
    expect(failurePath(CoordinatorMessageSchema, { type: 'partition', slot: 0, ref: { ...ref, byteLength: 1.5 } })).toBe('ref.byteLength');
    expect(failurePath(CoordinatorMessageSchema, { type: 'partition', slot: -1, ref })).toBe('slot');
    expect(failurePath(CoordinatorMessageSchema, { type: 'welcome', nodeId: 'n', heartbeatMs: 0, lostAfterMs: 5 })).toBe('heartbeatMs');
    expect(failurePath(CoordinatorMessageSchema, { type: 'welcome', nodeId: 'n', heartbeatMs: 5, lostAfterMs: -5 })).toBe('lostAfterMs');
  });

  it('caps a task at 4096 partitions', () => {
    const many = Array.from({ length: 4097 }, (_, i) => ({ ...ref, id: `d1/${i}`, index: i }));
    expect(failurePath(CoordinatorMessageSchema, { ...task, task: { ...task.task, partitions: many } })).toBe('task.partitions');
    expect(CoordinatorMessageSchema.safeParse({ ...task, task: { ...task.task, partitions: many.slice(0, 4096) } }).success).toBe(true);
  });

  it('rejects a volunteer-only message type', () => {
    expect(CoordinatorMessageSchema.safeParse(validVolunteer.bye).success).toBe(false);
  });
});

describe('PartitionRefSchema and ProbeReportSchema', () => {
  it('accept valid values and reject an empty id or too many measurements', () => {
    expect(PartitionRefSchema.safeParse(ref).success).toBe(true);
    expect(failurePath(PartitionRefSchema, { ...ref, id: '' })).toBe('id');
    expect(ProbeReportSchema.safeParse(probe).success).toBe(true);
    expect(failurePath(ProbeReportSchema, { ...probe, measurements: Array.from({ length: 9 }, () => probe.measurements[0]) })).toBe('measurements');
    expect(failurePath(ProbeReportSchema, { ...probe, crossOriginIsolated: 'yes' })).toBe('crossOriginIsolated');
  });
});

describe('task schemas (tasks.ts)', () => {
  const moments = { name: 'delay', count: 10, nulls: 2, mean: 1.5, m2: 4, min: -3, max: 9 };

  it('accepts describe params with and without columns, and rejects a non-array', () => {
    expect(DescribeParamsSchema.safeParse({}).success).toBe(true);
    expect(DescribeParamsSchema.safeParse({ columns: ['delay', 'distance'] }).data).toEqual({ columns: ['delay', 'distance'] });
    expect(failurePath(DescribeParamsSchema, { columns: 5 })).toBe('columns');
    expect(failurePath(DescribeParamsSchema, { columns: [5] })).toBe('columns.0');
  });

  it('accepts a describe result and rejects negative counts or m2', () => {
    expect(DescribeResultSchema.safeParse({ rows: 12, columns: [moments, { ...moments, count: 0, min: null, max: null }] }).success).toBe(true);
    expect(failurePath(DescribeResultSchema, { rows: -1, columns: [] })).toBe('rows');
    expect(failurePath(ColumnMomentsSchema, { ...moments, m2: -0.1 })).toBe('m2');
    expect(failurePath(ColumnMomentsSchema, { ...moments, count: 1.5 })).toBe('count');
    expect(failurePath(ColumnMomentsSchema, { ...moments, nulls: -1 })).toBe('nulls');
    expect(failurePath(ColumnMomentsSchema, { ...moments, mean: 'x' })).toBe('mean');
  });

  it('knows registered kinds only, not names inherited from Object.prototype', () => {
    expect(isTaskKind('describe')).toBe(true);
    expect(Object.keys(TASK_KINDS)).toEqual(['describe', 'feature-stats', 'glm-gradient', 'glm-predict', 'mlp-gradient', 'mlp-predict', 'fit-groups', 'trial', 'score']);
    for (const kind of ['train', 'toString', 'constructor', '__proto__', 'hasOwnProperty', '']) expect(isTaskKind(kind)).toBe(false);
  });
});

describe('FabricError (errors.ts)', () => {
  const codes = Object.keys(ERROR_CODES) as FabricErrorCode[];

  it('is an Error named FabricError carrying its code', () => {
    const e = new FabricError('bad-input', 'load: partitionRows must be at least 1');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('FabricError');
    expect(e.code).toBe('bad-input');
    expect(e.message).toBe('load: partitionRows must be at least 1');
    expect(String(e)).toBe('FabricError: load: partitionRows must be at least 1');
  });

  it('marks exactly worker-lost, link-closed, task-failed, not-cached and device-lost as retryable', () => {
    const retryable = codes.filter((c) => new FabricError(c, 'x').retryable);
    expect(retryable.sort()).toEqual(['device-lost', 'link-closed', 'not-cached', 'task-failed', 'worker-lost']);
    expect(new FabricError('too-many-failures', 'x').retryable).toBe(false);
    expect(new FabricError('cancelled', 'x').retryable).toBe(false);
  });

  it('round-trips code, message and stack through toJSON and fromJSON, also via JSON text', () => {
    for (const code of codes) {
      const original = new FabricError(code, `failure of kind ${code}`);
      const wire = JSON.parse(JSON.stringify(original)) as { code: string; message: string; stack?: string };
      expect(SerializedErrorSchema.safeParse(wire).success).toBe(true);
      const back = FabricError.fromJSON(wire);
      expect(back).toBeInstanceOf(FabricError);
      expect(back.code).toBe(code);
      expect(back.message).toBe(original.message);
      expect(back.stack).toBe(original.stack);
      expect(back.retryable).toBe(original.retryable);
    }
  });

  it('turns an unknown code from the wire into internal, keeping the message', () => {
    const e = FabricError.fromJSON({ code: 'gremlins', message: 'something odd' });
    expect(e.code).toBe('internal');
    expect(e.message).toBe('something odd');
    expect(FabricError.fromJSON({ code: 'toString', message: 'm' }).code).toBe('internal');
    expect(isErrorCode('constructor')).toBe(false);
    expect(isErrorCode('bad-frame')).toBe(true);
  });

  it('from() keeps a FabricError, wraps an Error with the fallback code and cause, and stringifies anything else', () => {
    const fe = new FabricError('bad-token', 'wrong token');
    expect(FabricError.from(fe, 'task-failed')).toBe(fe);

    const plain = new TypeError('x is not a function');
    const wrapped = FabricError.from(plain, 'task-failed');
    expect(wrapped.code).toBe('task-failed');
    expect(wrapped.message).toBe('x is not a function');
    expect(wrapped.cause).toBe(plain);

    expect(FabricError.from(new Error('boom')).code).toBe('internal');
    const fromString = FabricError.from('just a string', 'worker-lost');
    expect(fromString.code).toBe('worker-lost');
    expect(fromString.message).toBe('just a string');
    expect(FabricError.from(undefined).message).toBe('undefined');
  });
});
