/**
 * The coordinator's side of a volunteer: an {@link ExecutorNode} over a message link. It ships a
 * partition to a slot once (on the bulk lane, so control messages overtake it), then sends tasks
 * and matches their results by slot and task id. Results are schema-checked; a result that fails
 * its schema closes the link, and the node is lost. So does a reply nobody asked for: a result for
 * a task never sent to that slot or already answered, or a `cached` ack for a blob never sent.
 * Every request sent is counted until its reply, so a reply is legitimate exactly when a count is
 * open; this node's own retries (a blob sent again, a task rerun) each open one more.
 */
import type { MessageLink } from '../link/message-link';
import type { ArtifactRef, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import type { CoordinatorMessage, Standing, VolunteerMessage } from '../protocol/messages';
import type { ProbeReport, TaskRequest } from '../protocol/slot-api';
import type { ExecutorNode, TaskOutput } from './executor-node';
import type { BlobStore } from './blob-store';
import { checkResult } from './result-check';

interface Waiter<T> {
  readonly resolve: (v: T) => void;
  readonly reject: (e: FabricError) => void;
}

/** A volunteer as the scheduler sees it. */
export class VolunteerNode implements ExecutorNode {
  readonly kind = 'volunteer';
  private readonly caching = new Map<string, Promise<void>>();
  private readonly cacheWaiters = new Map<string, Waiter<void>>();
  private readonly taskWaiters = new Map<string, Waiter<TaskOutput> & { kind: TaskRequest['kind'] }>();
  private readonly lostCallbacks: ((reason: FabricError) => void)[] = [];
  private readonly reportCallbacks: ((slot: number, report: ProbeReport) => void)[] = [];
  private lostWith: FabricError | undefined;
  private readonly stored: Set<string>;
  /** One report per slot; a slot that lost its WebGPU device sends a new one. */
  readonly slots: ProbeReport[];
  /** Requests sent and not yet answered, by `kind|slot|id`. */
  private readonly unanswered = new Map<string, number>();

  constructor(
    readonly id: string,
    private nickname: string,
    slots: readonly ProbeReport[],
    private readonly link: MessageLink<VolunteerMessage, CoordinatorMessage>,
    private readonly store: BlobStore,
    /** Hashes of models the volunteer keeps on disk from earlier visits. */
    stored: readonly string[] = [],
  ) {
    this.stored = new Set(stored);
    this.slots = [...slots];
    link.onClose((reason) => this.lose(reason));
  }

  /** The volunteer's nickname; it may change it after joining. */
  get name(): string {
    return this.nickname;
  }

  /** Asks the volunteer to make every task take `factor` times as long (fault demos; 1 undoes it). */
  async setSlowdown(factor: number): Promise<void> {
    await this.link.send({ type: 'slowdown', factor });
  }

  /** Tells the volunteer where it stands among the live nodes; a closed link drops it. */
  sendStanding(standing: Standing): void {
    if (!this.lostWith) void this.link.send({ type: 'standing', standing }).catch(() => undefined);
  }

  traffic(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: this.link.stats.bytesIn, bytesOut: this.link.stats.bytesOut };
  }

  onReport(cb: (slot: number, report: ProbeReport) => void): void {
    this.reportCallbacks.push(cb);
  }

  onLost(cb: (reason: FabricError) => void): void {
    if (this.lostWith) cb(this.lostWith);
    else this.lostCallbacks.push(cb);
  }

  close(reason: string): void {
    this.link.close(new FabricError('link-closed', reason));
  }

  /** Takes a message from the link (after the handshake). */
  handle(msg: VolunteerMessage, payloads: readonly Uint8Array[]): void {
    switch (msg.type) {
      case 'cached': {
        const key = `${msg.slot}|${msg.id}`;
        if (!this.answer(`cached|${key}`)) {
          this.violation(`acknowledged blob ${msg.id} on slot ${msg.slot}, which was never sent to it (or was already acknowledged)`);
          return;
        }
        const w = this.cacheWaiters.get(key);
        if (!w) return;
        this.cacheWaiters.delete(key);
        if (msg.reply.ok) w.resolve();
        else w.reject(FabricError.fromJSON(msg.reply.error));
        return;
      }
      case 'result': {
        const key = `${msg.slot}|${msg.taskId}`;
        if (!this.answer(`result|${key}`)) {
          this.violation(`sent a result for task ${msg.taskId} on slot ${msg.slot}, which was never sent to it (or was already answered)`);
          return;
        }
        const w = this.taskWaiters.get(key);
        if (!w) return; // Answered, but its waiter was replaced by a newer send of the same key: dropped.
        this.taskWaiters.delete(key);
        if (!msg.reply.ok) {
          w.reject(FabricError.fromJSON(msg.reply.error));
          return;
        }
        try {
          w.resolve({ result: checkResult(w.kind, msg.reply.result, `volunteer ${this.name}`), binary: payloads });
        } catch (e) {
          // A result that breaks its schema comes from a broken or hostile node: stop trusting it.
          const reason = FabricError.from(e, 'schema-mismatch');
          w.reject(new FabricError('worker-lost', `volunteer ${this.name} sent a bad result: ${reason.message}`, { cause: reason }));
          this.link.close(reason);
        }
        return;
      }
      case 'slot-report':
        if (msg.slot >= this.slots.length) {
          this.link.close(new FabricError('schema-mismatch', `volunteer ${this.name} sent a report for slot ${msg.slot} of ${this.slots.length}`));
          return;
        }
        this.slots[msg.slot] = msg.report;
        for (const cb of this.reportCallbacks) cb(msg.slot, msg.report);
        return;
      case 'bye':
        this.link.close(new FabricError('link-closed', `volunteer ${this.name} left: ${msg.reason}`));
        return;
      case 'hello':
        this.violation('sent a second hello');
        return;
      case 'rename':
        // An empty name keeps the old one: the table always has something to show.
        if (msg.name.trim()) this.nickname = msg.name.trim();
        return;
      case 'heartbeat':
      case 'status':
        return;
    }
  }

  async execute(slot: number, task: TaskRequest): Promise<TaskOutput> {
    try {
      return await this.attempt(slot, task);
    } catch (e) {
      if (!(e instanceof FabricError) || e.code !== 'not-cached') throw e;
      // The slot evicted a blob this node had sent it: forget that it was sent, send again, rerun once.
      for (const ref of [...task.partitions, ...(task.artifacts ?? [])]) this.caching.delete(`${slot}|${ref.id}`);
      return this.attempt(slot, task);
    }
  }

  /** Opens one expected reply. */
  private ask(key: string): void {
    this.unanswered.set(key, (this.unanswered.get(key) ?? 0) + 1);
  }

  /** Closes one expected reply; false when none was open (the peer replied to nothing). */
  private answer(key: string): boolean {
    const n = this.unanswered.get(key) ?? 0;
    if (n === 0) return false;
    if (n === 1) this.unanswered.delete(key);
    else this.unanswered.set(key, n - 1);
    return true;
  }

  private violation(what: string): void {
    this.link.close(new FabricError('protocol-violation', `volunteer ${this.name} ${what}`));
  }

  private async attempt(slot: number, task: TaskRequest): Promise<TaskOutput> {
    if (this.lostWith) throw this.lostError();
    if (slot < 0 || slot >= this.slots.length) throw new FabricError('internal', `volunteer ${this.name} has no slot ${slot}`);
    for (const ref of task.partitions) await this.ensureCached(slot, ref, 'partition');
    for (const ref of task.artifacts ?? []) await this.ensureCached(slot, ref, 'artifact');
    const key = `${slot}|${task.taskId}`;
    const result = new Promise<TaskOutput>((resolve, reject) => this.taskWaiters.set(key, { resolve, reject, kind: task.kind }));
    this.ask(`result|${key}`);
    const message = { taskId: task.taskId, kind: task.kind, params: task.params, partitions: [...task.partitions], artifacts: [...(task.artifacts ?? [])] };
    await this.link.send({ type: 'task', slot, task: message }, task.binary ?? [])
      .catch(() => undefined); // a closed link rejects the waiter through lose()
    return result;
  }

  private ensureCached(slot: number, ref: PartitionRef | ArtifactRef, kind: 'partition' | 'artifact'): Promise<void> {
    const key = `${slot}|${ref.id}`;
    let p = this.caching.get(key);
    if (!p) {
      const send = (): Promise<void> => this.awaitCached(key, () => (kind === 'partition'
        ? this.link.send({ type: 'partition', slot, ref: ref as PartitionRef }, [this.store.bytes(ref as PartitionRef)], 'bulk')
        : this.link.send({ type: 'artifact', slot, ref, keep: this.store.durable?.(ref) ?? false }, [this.store.artifactBytes(ref)], 'bulk')));
      // A model the volunteer kept on disk is loaded from there; if that fails, it is sent after all.
      p = kind === 'artifact' && this.stored.has(ref.hash)
        ? this.awaitCached(key, () => this.link.send({ type: 'artifact-stored', slot, ref })).catch((e: unknown) => {
          if (this.lostWith) throw e;
          this.stored.delete(ref.hash);
          return send();
        })
        : send();
      p.catch(() => this.caching.delete(key));
      this.caching.set(key, p);
    }
    return p;
  }

  /** Sends a caching message and resolves when the volunteer answers `cached`. */
  private awaitCached(key: string, sendMessage: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.cacheWaiters.set(key, { resolve, reject });
      this.ask(`cached|${key}`);
      void sendMessage().catch(() => undefined);
    });
  }

  private lostError(): FabricError {
    return new FabricError('worker-lost', `volunteer ${this.name} was lost: ${this.lostWith?.message ?? 'unknown reason'}`, { cause: this.lostWith });
  }

  private lose(reason: FabricError): void {
    if (this.lostWith) return;
    this.lostWith = reason;
    const err = this.lostError();
    for (const w of this.cacheWaiters.values()) w.reject(err);
    for (const w of this.taskWaiters.values()) w.reject(err);
    this.cacheWaiters.clear();
    this.taskWaiters.clear();
    for (const cb of this.lostCallbacks) cb(reason);
  }
}
