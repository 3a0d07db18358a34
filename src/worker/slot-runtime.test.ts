import { Float64, Int64, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../data/partition';
import type { PartitionRef } from '../protocol/dataset';
import type { ProbeReport, TaskReply, TaskRequest } from '../protocol/slot-api';
import { DescribeResultSchema, type TaskKind } from '../protocol/tasks';
import { runDescribe } from './executors/describe';
import { SlotRuntime, type SlotBackends } from './slot-runtime';

const REPORT: ProbeReport = { chosen: 'cpu', gflops: 1.25, measurements: [{ backend: 'cpu', ok: true, gflops: 1.25 }], crossOriginIsolated: false };

function partitionTable(offset: number, rows: number): Table {
  return new Table({
    delay: vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 5 === 3 ? null : BigInt((offset + i) * 7 - 40))), new Int64()),
    score: vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 9 === 4 ? NaN : (offset + i) / 3)), new Float64()),
    origin: vectorFromArray(Array.from({ length: rows }, (_, i) => `A${(offset + i) % 4}`), new Utf8()),
  });
}

/** A partition's bytes and ref, as the coordinator would send them. */
async function makePartition(index: number, rows = 50): Promise<{ ref: PartitionRef; ipc: Uint8Array<ArrayBuffer> }> {
  const ipc = tableToIPC(partitionTable(index * rows, rows), 'stream').slice();
  return { ref: { id: `ds/${index}`, index, rowStart: index * rows, numRows: rows, byteLength: ipc.byteLength, hash: await sha256Hex(ipc) }, ipc };
}

function describeTask(partitions: readonly PartitionRef[], params: unknown = {}, kind: string = 'describe'): TaskRequest {
  // `kind` is typed as a registered kind; a peer can still send any string, so tests do too.
  return { taskId: 't1', kind: kind as TaskKind, params, partitions };
}

function expectError(reply: TaskReply, code: string, text: RegExp): void {
  expect(reply.ok).toBe(false);
  if (reply.ok) return;
  expect(reply.error.code).toBe(code);
  expect(reply.error.message).toMatch(text);
}

describe('SlotRuntime', () => {
  it('reports what the probe function reports', async () => {
    expect(await new SlotRuntime(() => Promise.resolve(REPORT)).probe()).toBe(REPORT);
  });

  describe('cachePartition', () => {
    it('caches a partition whose length and hash match', async () => {
      const slot = new SlotRuntime(() => Promise.resolve(REPORT));
      const p = await makePartition(0);
      expect(await slot.cachePartition(p.ref, p.ipc.buffer)).toEqual({ ok: true });
      expect(await slot.cachedPartitions()).toEqual(['ds/0']);
    });

    it('rejects bytes of the wrong length, and does not cache them', async () => {
      const slot = new SlotRuntime(() => Promise.resolve(REPORT));
      const p = await makePartition(0);
      const reply = await slot.cachePartition({ ...p.ref, byteLength: p.ref.byteLength + 1 }, p.ipc.buffer);
      expect(reply).toEqual({ ok: false, error: expect.objectContaining({ code: 'task-failed' }) });
      if (!reply.ok) expect(reply.error.message).toMatch(new RegExp(`partition ds/0 arrived with ${p.ref.byteLength} bytes, expected ${p.ref.byteLength + 1}`));
      expect(await slot.cachedPartitions()).toEqual([]);
    });

    it('rejects bytes whose hash does not match, and does not cache them', async () => {
      const slot = new SlotRuntime(() => Promise.resolve(REPORT));
      const p = await makePartition(0);
      const damaged = p.ipc.slice();
      damaged[damaged.byteLength - 9]! ^= 0x01;
      const reply = await slot.cachePartition(p.ref, damaged.buffer);
      expect(reply.ok).toBe(false);
      if (!reply.ok) {
        expect(reply.error.code).toBe('task-failed');
        expect(reply.error.message).toMatch(/partition ds\/0 has hash [0-9a-f]{12}…, expected [0-9a-f]{12}…; it was damaged in transit/);
      }
      expect(await slot.cachedPartitions()).toEqual([]);
    });

    it('rejects bytes that match their hash but are not Arrow IPC', async () => {
      const slot = new SlotRuntime(() => Promise.resolve(REPORT));
      const junk = new TextEncoder().encode('definitely not arrow');
      const reply = await slot.cachePartition({ id: 'ds/9', index: 9, rowStart: 900, numRows: 1, byteLength: junk.byteLength, hash: await sha256Hex(junk) }, junk.buffer);
      expect(reply.ok).toBe(false);
      expect(await slot.cachedPartitions()).toEqual([]);
    });
  });

  describe('run', () => {
    async function slotWith(count: number): Promise<{ slot: SlotRuntime; refs: PartitionRef[]; tables: Table[] }> {
      const slot = new SlotRuntime(() => Promise.resolve(REPORT));
      const refs: PartitionRef[] = [];
      const tables: Table[] = [];
      for (let i = 0; i < count; i++) {
        const p = await makePartition(i);
        expect(await slot.cachePartition(p.ref, p.ipc.slice().buffer)).toEqual({ ok: true });
        refs.push(p.ref);
        tables.push(tableFromIPC(p.ipc));
      }
      return { slot, refs, tables };
    }

    it('runs describe over cached partitions with the same result as runDescribe', async () => {
      const { slot, refs, tables } = await slotWith(3);
      const reply = await slot.run(describeTask(refs));
      expect(reply.ok).toBe(true);
      if (!reply.ok) return;
      expect(reply.ms).toBeGreaterThanOrEqual(0);
      expect(reply.result).toEqual(runDescribe({}, tables));
      const result = DescribeResultSchema.parse(reply.result);
      expect(result.rows).toBe(150);
      // Only numeric columns, with nulls and NaNs counted as missing.
      expect(result.columns.map((c) => [c.name, c.count, c.nulls])).toEqual([
        ['delay', 120, 30],
        ['score', 132, 18],
      ]);
      const delay = result.columns[0]!;
      expect(delay.min).toBe(-40);
      expect(delay.max).toBe(149 * 7 - 40);
    });

    it('describes only the columns asked for, in the order asked', async () => {
      const { slot, refs, tables } = await slotWith(1);
      const reply = await slot.run(describeTask(refs, { columns: ['score', 'delay'] }));
      expect(reply).toMatchObject({ ok: true, result: runDescribe({ columns: ['score', 'delay'] }, tables) });
      if (reply.ok) expect((reply.result as { columns: { name: string }[] }).columns.map((c) => c.name)).toEqual(['score', 'delay']);
    });

    it('answers unknown-task-kind for a kind not in the registry', async () => {
      const { slot, refs } = await slotWith(1);
      expectError(await slot.run(describeTask(refs, {}, 'train-gbt')), 'unknown-task-kind', /task kind "train-gbt" is not registered; known kinds: describe/);
      expectError(await slot.run(describeTask(refs, {}, 'toString')), 'unknown-task-kind', /"toString" is not registered/);
    });

    it('answers bad-input for params that break the kind schema', async () => {
      const { slot, refs } = await slotWith(1);
      expectError(await slot.run(describeTask(refs, { columns: 5 })), 'bad-input', /describe: parameter "columns" is invalid/);
      expectError(await slot.run(describeTask(refs, null)), 'bad-input', /describe: parameter "" is invalid/);
    });

    it('answers not-cached for a partition it does not hold, so its node sends it again', async () => {
      const { slot, refs } = await slotWith(1);
      const missing = (await makePartition(7)).ref;
      expectError(await slot.run(describeTask([refs[0]!, missing])), 'not-cached', /partition ds\/7 is not cached on this slot/);
    });

    it('answers bad-input for a column that is missing or not numeric', async () => {
      const { slot, refs } = await slotWith(1);
      expectError(await slot.run(describeTask(refs, { columns: ['origin'] })), 'bad-input', /column "origin" has type Utf8, which is not numeric\. Numeric columns are: delay, score\./);
      expectError(await slot.run(describeTask(refs, { columns: ['delay', 'arrival'] })), 'bad-input', /column "arrival" is not in the dataset\. Its numeric columns are: delay, score\./);
    });

    it('describes a task with no partitions as zero rows', async () => {
      const { slot } = await slotWith(0);
      expect(await slot.run(describeTask([]))).toMatchObject({ ok: true, result: { rows: 0, columns: [] } });
    });
  });

  describe('setSlowdown', () => {
    it('rejects a factor below 1 or not finite with bad-input', async () => {
      const slot = new SlotRuntime(() => Promise.resolve(REPORT));
      await expect(slot.setSlowdown(0.5)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/setSlowdown: factor must be a number of at least 1, got 0\.5/) });
      await expect(slot.setSlowdown(Number.NaN)).rejects.toMatchObject({ code: 'bad-input' });
      await expect(slot.setSlowdown(Number.POSITIVE_INFINITY)).rejects.toMatchObject({ code: 'bad-input' });
      await expect(slot.setSlowdown(1)).resolves.toBeUndefined();
      await expect(slot.setSlowdown(3)).resolves.toBeUndefined();
    });
  });

  describe('device loss', () => {
    /** Backends whose device is lost the first time a task asks for it, and recover when told to. */
    function losingBackends(): SlotBackends & { recover: () => void; lossListeners: number } {
      let losses = 0;
      let lost = false;
      let recover = (): void => undefined;
      let settled = Promise.resolve();
      const listeners: (() => void)[] = [];
      return {
        probe: () => Promise.resolve(REPORT),
        kernelDevice: () => {
          if (!lost) {
            lost = true;
            losses += 1;
            for (const cb of listeners) cb();
            settled = new Promise((resolve) => (recover = resolve));
          }
          return undefined;
        },
        losses: () => losses,
        settled: () => settled,
        onLoss: (cb) => listeners.push(cb),
        watchReport: () => undefined,
        loseDevice: () => Promise.resolve(REPORT),
        kernelBuffers: () => ({ buffers: 0, bytes: 0 }),
        recover: () => recover(),
        get lossListeners() {
          return listeners.length;
        },
      };
    }

    it('answers device-lost (retryable) for a task during which a device was lost, and runs the next one after recovery', async () => {
      const backends = losingBackends();
      const slot = new SlotRuntime(backends);
      expect(backends.lossListeners).toBe(1);
      const p = await makePartition(0);
      await slot.cachePartition(p.ref, p.ipc.buffer);
      expectError(await slot.run({ ...describeTask([p.ref]), taskId: 'lost-1' }), 'device-lost', /run: this slot's WebGPU device was lost while it ran describe task lost-1; the slot has moved to a new device or to its fallback backend, and the task will be retried/);
      let done = false;
      const next = slot.run(describeTask([p.ref])).then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 10));
      expect(done, 'the next task waits for the recovery').toBe(false);
      backends.recover();
      expect(await next).toMatchObject({ ok: true, result: { rows: 50 } });
    });
  });
});
