/**
 * Test support, not part of the app: an {@link ExecutorNode} whose slots are {@link SlotRuntime}s in this thread. For Node tests of
 * whole jobs (scheduler, tasks, merging) without browsers; bytes are copied as a link would.
 */
import type { FabricError } from '../protocol/errors';
import { FabricError as Err } from '../protocol/errors';
import type { ProbeReport, TaskRequest } from '../protocol/slot-api';
import { SlotRuntime } from '../worker/slot-runtime';
import type { BlobStore } from '../coordinator/blob-store';
import type { ExecutorNode, NodeKind, TaskOutput } from '../coordinator/executor-node';
import { corrupt, type LieMode } from '../worker/liar';
import { checkResult } from '../coordinator/result-check';

const REPORT: ProbeReport = { chosen: 'cpu', gflops: 1, measurements: [{ backend: 'cpu', ok: true, gflops: 1 }], crossOriginIsolated: false };

/** A node of `slots` in-thread slots. */
export class InProcessNode implements ExecutorNode {
  readonly slots: ProbeReport[];
  /** Corrupts every result this way (a lying volunteer, for verification tests). */
  lie: LieMode | undefined;
  /** Results this node corrupted. */
  lies = 0;
  private readonly runtimes: SlotRuntime[];
  /** Per slot, what was sent (or is being sent) to it, as LocalNode and VolunteerNode keep it: one send per blob. */
  private readonly cached: Map<string, Promise<void>>[];
  private readonly lost: ((reason: FabricError) => void)[] = [];
  /** Rejecters of the tasks running now, so {@link drop} can fail them as a closed link does. */
  private readonly inFlight = new Set<(e: FabricError) => void>();
  private closed = false;

  constructor(readonly id: string, slots: number, private readonly store: BlobStore, readonly name = id, readonly kind: NodeKind = 'local') {
    this.slots = Array.from({ length: slots }, () => REPORT);
    this.runtimes = Array.from({ length: slots }, () => new SlotRuntime(() => Promise.resolve(REPORT)));
    this.cached = Array.from({ length: slots }, () => new Map<string, Promise<void>>());
  }

  execute(slot: number, task: TaskRequest): Promise<TaskOutput> {
    return new Promise<TaskOutput>((resolve, reject) => {
      this.inFlight.add(reject);
      this.run(slot, task).then(resolve, reject).finally(() => this.inFlight.delete(reject));
    });
  }

  private async run(slot: number, task: TaskRequest): Promise<TaskOutput> {
    try {
      return await this.attempt(slot, task);
    } catch (e) {
      if (!(e instanceof Err) || e.code !== 'not-cached') throw e;
      for (const ref of [...task.partitions, ...(task.artifacts ?? [])]) this.cached[slot]!.delete(ref.id);
      return this.attempt(slot, task);
    }
  }

  private async attempt(slot: number, task: TaskRequest): Promise<TaskOutput> {
    if (this.closed) throw new Err('worker-lost', `${this.id} is closed`);
    const rt = this.runtimes[slot]!;
    const ensure = (id: string, send: () => Promise<{ ok: boolean; error?: unknown }>): Promise<void> => {
      let p = this.cached[slot]!.get(id);
      if (!p) {
        p = send().then((reply) => {
          if (!reply.ok) {
            this.cached[slot]!.delete(id);
            throw Err.fromJSON(reply.error as Parameters<typeof Err.fromJSON>[0]);
          }
        });
        this.cached[slot]!.set(id, p);
      }
      return p;
    };
    for (const ref of task.partitions) await ensure(ref.id, () => rt.cachePartition(ref, this.store.bytes(ref).slice().buffer));
    for (const ref of task.artifacts ?? []) await ensure(ref.id, () => rt.cacheArtifact(ref, this.store.artifactBytes(ref).slice().buffer));
    const reply = await rt.run({ ...task, binary: (task.binary ?? []).map((b) => b.slice()) });
    if (this.closed) throw new Err('worker-lost', `${this.id} was closed while the task ran`);
    if (!reply.ok) throw Err.fromJSON(reply.error);
    const binary = reply.binary ?? [];
    if (!this.lie) return { result: checkResult(task.kind, reply.result, this.id), binary };
    this.lies += 1;
    return { result: checkResult(task.kind, reply.result, this.id), binary: corrupt(this.lie, binary) };
  }

  traffic(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: 0, bytesOut: 0 };
  }

  onLost(cb: (reason: FabricError) => void): void {
    this.lost.push(cb);
  }

  /** Makes every slot's tasks take `factor` times as long. */
  async setSlowdown(factor: number): Promise<void> {
    await Promise.all(this.runtimes.map((rt) => rt.setSlowdown(factor)));
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.lost) cb(new Err('worker-lost', reason));
  }

  /**
   * Loses the node as a closed WebRTC link (or a crashed tab) does, unlike {@link close}, which
   * lets running tasks finish before they fail: the loss callbacks hear `code` at once, and every
   * task in flight is rejected with `worker-lost` (in that order, as VolunteerNode's lose() does).
   * The slots' work goes on in the background and its results are thrown away.
   */
  drop(code: 'worker-lost' | 'link-closed', reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.inFlight];
    this.inFlight.clear();
    for (const reject of pending) reject(new Err('worker-lost', `${this.id} was lost: ${reason}`));
    for (const cb of this.lost) cb(new Err(code, reason));
  }
}
