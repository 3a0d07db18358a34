/**
 * The coordinator's local node: slots that are Web Workers on the coordinator's own machine,
 * reached with comlink. Partitions move to them as transferred copies (the coordinator keeps its
 * own bytes to ship to volunteers).
 */
import * as Comlink from 'comlink';
import type { ArtifactRef, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import type { ProbeReport, SlotApi, TaskRequest } from '../protocol/slot-api';
import type { ExecutorNode, TaskOutput } from './executor-node';
import type { BlobStore } from './blob-store';
import { checkResult } from './result-check';

interface LocalSlot {
  readonly worker: Worker;
  readonly api: Comlink.Remote<SlotApi>;
  readonly caching: Map<string, Promise<void>>;
}

/** The coordinator's own slots. */
export class LocalNode implements ExecutorNode {
  readonly kind = 'local';
  readonly name = 'this machine';
  private readonly lostCallbacks: ((reason: FabricError) => void)[] = [];
  private readonly reportCallbacks: ((slot: number, report: ProbeReport) => void)[] = [];
  private bytesOut = 0;
  private closed = false;

  private constructor(readonly id: string, private readonly workers: LocalSlot[], readonly slots: ProbeReport[], private readonly store: BlobStore) {}

  /** Starts `count` slot workers and probes each (one at a time: probes compete for cores). */
  static async start(id: string, count: number, store: BlobStore, onProbed?: (i: number, r: ProbeReport) => void): Promise<LocalNode> {
    const workers: LocalSlot[] = [];
    const reports: ProbeReport[] = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL('../worker/slot.worker.ts', import.meta.url), { type: 'module', name: `fabric-local-slot-${i}` });
      const api = Comlink.wrap<SlotApi>(worker);
      const report = await api.probe();
      onProbed?.(i, report);
      workers.push({ worker, api, caching: new Map() });
      reports.push(report);
    }
    const node = new LocalNode(id, workers, reports, store);
    for (const [i, w] of workers.entries()) {
      w.worker.addEventListener('error', (e) => node.lose(new FabricError('worker-lost', `a local slot's worker crashed: ${e.message}`)));
      await w.api.watchReport(Comlink.proxy((report: ProbeReport) => node.replaceReport(i, report)));
    }
    return node;
  }

  traffic(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: 0, bytesOut: this.bytesOut };
  }

  onReport(cb: (slot: number, report: ProbeReport) => void): void {
    this.reportCallbacks.push(cb);
  }

  /** Destroys a slot's WebGPU devices (see SlotApi.loseDevice), for tests and demos of recovery. */
  loseDevice(slot: number): Promise<ProbeReport> {
    const w = this.workers[slot];
    if (!w) return Promise.reject(new FabricError('bad-input', `loseDevice: this machine has no slot ${slot}; it has ${this.workers.length}`));
    return w.api.loseDevice();
  }

  private replaceReport(slot: number, report: ProbeReport): void {
    this.slots[slot] = report;
    for (const cb of this.reportCallbacks) cb(slot, report);
  }

  onLost(cb: (reason: FabricError) => void): void {
    this.lostCallbacks.push(cb);
  }

  async execute(slot: number, task: TaskRequest): Promise<TaskOutput> {
    try {
      return await this.attempt(slot, task);
    } catch (e) {
      if (!(e instanceof FabricError) || e.code !== 'not-cached') throw e;
      // The slot evicted a blob this node had sent it: forget that it was sent, send again, rerun once.
      const w = this.workers[slot];
      for (const ref of [...task.partitions, ...(task.artifacts ?? [])]) w?.caching.delete(ref.id);
      return this.attempt(slot, task);
    }
  }

  private async attempt(slot: number, task: TaskRequest): Promise<TaskOutput> {
    const w = this.workers[slot];
    if (!w || this.closed) throw new FabricError('worker-lost', `local slot ${slot} is not running`);
    for (const ref of task.partitions) await this.ensureCached(w, ref, 'partition');
    for (const ref of task.artifacts ?? []) await this.ensureCached(w, ref, 'artifact');
    const reply = await w.api.run(task);
    if (this.closed) throw new FabricError('worker-lost', `local slot ${slot} was stopped`);
    if (!reply.ok) throw FabricError.fromJSON(reply.error);
    return { result: checkResult(task.kind, reply.result, `local slot ${slot}`), binary: reply.binary ?? [] };
  }

  /** Sets every slot's slowdown factor. */
  async setSlowdown(factor: number): Promise<void> {
    await Promise.all(this.workers.map((w) => w.api.setSlowdown(factor)));
  }

  close(reason: string): void {
    this.lose(new FabricError('worker-lost', reason));
  }

  private lose(reason: FabricError): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) w.worker.terminate();
    for (const cb of this.lostCallbacks) cb(reason);
  }

  private ensureCached(w: LocalSlot, ref: PartitionRef | ArtifactRef, kind: 'partition' | 'artifact'): Promise<void> {
    let p = w.caching.get(ref.id);
    if (!p) {
      const source = kind === 'partition' ? this.store.bytes(ref as PartitionRef) : this.store.artifactBytes(ref);
      const copy = source.slice().buffer;
      this.bytesOut += copy.byteLength;
      const sent = kind === 'partition'
        ? w.api.cachePartition(ref as PartitionRef, Comlink.transfer(copy, [copy]))
        : w.api.cacheArtifact(ref, Comlink.transfer(copy, [copy]));
      p = sent.then((reply) => {
        if (!reply.ok) {
          w.caching.delete(ref.id);
          throw FabricError.fromJSON(reply.error);
        }
      });
      w.caching.set(ref.id, p);
    }
    return p;
  }
}
