/**
 * The public API of a coordinator. The dashboard is built on this and nothing else.
 *
 * ```ts
 * const fabric = await Fabric.start();
 * await fabric.load('flights-3m');
 * const report = await fabric.describe();
 * ```
 */
import { FabricError } from '../protocol/errors';
import type { DatasetInfo } from '../protocol/dataset';
import type { ProbeReport } from '../protocol/slot-api';
import { chooseAggregator, type Aggregator } from './aggregator';
import { ArtifactStore } from './artifact-store';
import type { BlobStore } from './blob-store';
import { Cluster, type NodeInfo } from './cluster';
import { BUILTIN_DATASETS, DatasetStore, type DatasetSource, type LoadDatasetOptions } from './dataset-store';
import { Emitter } from './emitter';
import type { ExecutorNode } from './executor-node';
import type { GroupBy, GroupJobOptions } from './group-by';
import type { TuneOptions, TuneResult } from './jobs/tune-types';
import { runTuneJob } from './jobs/tune';
import { runScoreJob } from './jobs/score';
import { startScoreStream } from './jobs/score-stream';
import type { PredictStats, ScorableModel, ScoreOptions, ScoreOutput, ScoreStream, StreamOptions } from './jobs/score-types';
import { Predictor, type PredictRow } from './predict';
import { isPreparedModel, prepareLayers, prepareLayersFiles, prepareLayersUrl, prepareTrained, type ExternalModelOptions, type LayersModelFiles, type PreparedModel } from './score-model';
import { planApplyJob, planFitJob, runGroupJob, type GroupJob } from './jobs/fit-groups';
import type { GroupResults } from './jobs/group-results';
import { runDescribeJob, type DescribeOptions, type DescribeReport } from './jobs/describe';
import { ShuffleClient } from './shuffle-client';
import { runTrainJob, type TrainedModel, type TrainOptions } from './jobs/train';
import { LocalNode } from './local-node';
import { Room, type LinkCloseStats, type SignalServer } from './room';
import { Scheduler, type SchedulerOptions } from './scheduler';
import { StandingsBroadcaster } from './standings';
import { VolunteerNode } from './volunteer-node';
import type { Checkpoint, CheckpointDataset, CheckpointSummary, DatasetIdentity, ResumeOptions } from './checkpoint/checkpoint-types';
import { Checkpoints } from './checkpoint/checkpoints';
import { checkLoaded, identifySource, planDataset } from './checkpoint/dataset-identity';

/** Options of {@link Fabric.start}. */
export interface FabricOptions {
  /** Slots on this machine. Default: one per core less one, at least 1. 0 leaves all work to volunteers. */
  readonly localSlots?: number;
  /** Open a room for volunteers (default true). */
  readonly room?: boolean;
  /** The PeerServer; this page's origin at `/peerjs` by default. */
  readonly server?: SignalServer;
  /** ICE servers for volunteers across the internet; none on a LAN. */
  readonly iceServers?: RTCIceServer[];
  /** Origin that join links carry; this page's, or the server's LAN address in classroom mode. */
  readonly publicOrigin?: string;
  /** Heartbeat period on volunteer links, ms (1000). */
  readonly heartbeatMs?: number;
  /** A volunteer silent this long is lost, ms (10000). */
  readonly lostAfterMs?: number;
  readonly scheduler?: SchedulerOptions;
}

/** A line of the coordinator's log. */
export interface LogEntry {
  readonly time: number;
  readonly level: 'info' | 'warn' | 'error';
  readonly text: string;
}

/** How volunteers join. */
export interface JoinInfo {
  readonly link: string;
  readonly room: string;
  readonly token: string;
}

/** Events of a {@link Fabric}. */
export interface FabricEvents {
  [key: string]: unknown;
  nodes: NodeInfo[];
  log: LogEntry;
  dataset: DatasetInfo;
  'local-probe': { slot: number; report: ProbeReport };
  /** A task's result was committed: which node ran it, over which partitions. */
  task: { taskId: string; nodeId: string; partitions: number[]; ms: number };
}

const LOG_KEEP = 500;

/** A coordinator: dataset, slots, volunteers and jobs. */
export class Fabric {
  private readonly events = new Emitter<FabricEvents>();
  private readonly store = new DatasetStore();
  private readonly artifacts = new ArtifactStore();
  /** What nodes ship to slots: partitions of the loaded dataset and artifacts of running jobs. */
  private readonly blobs: BlobStore = {
    bytes: (ref) => this.store.bytes(ref),
    artifactBytes: (ref) => this.artifacts.bytes(ref),
    durable: (ref) => this.artifacts.durable(ref),
  };
  private readonly scheduler: Scheduler;
  private readonly cluster: Cluster;
  private readonly shuffler = new ShuffleClient((ref) => this.store.bytes(ref));
  private readonly predictor = new Predictor(this.artifacts);
  private readonly prepared = new WeakMap<object, Promise<PreparedModel>>();
  private readonly logLines: LogEntry[] = [];
  private room: Room | undefined;
  /** Measured once, at the first training job. */
  private aggregator: Promise<Aggregator> | undefined;
  private local: LocalNode | undefined;
  private localSeq = 0;
  private publicOrigin: string;
  /** Checkpoints of train and tune jobs (IndexedDB); what the loaded dataset was loaded from. */
  private readonly saved = new Checkpoints(undefined, (e) => this.log('warn', `checkpoint not written: ${FabricError.from(e).message}`));
  private identity: DatasetIdentity | undefined;
  /** Tells each volunteer its share and rank as tasks commit (classroom mode's volunteer page). */
  private readonly standings = new StandingsBroadcaster(() => this.cluster.list(), (id, s) => {
    const node = this.cluster.get(id);
    if (node instanceof VolunteerNode) node.sendStanding(s);
  });

  private constructor(private readonly options: FabricOptions) {
    this.scheduler = new Scheduler(options.scheduler);
    this.cluster = new Cluster(() => this.events.emit('nodes', this.nodes()));
    this.publicOrigin = options.publicOrigin ?? location.origin;
    this.scheduler.onEvent((e) => {
      this.cluster.record(e);
      if (e.type === 'task-committed') this.standings.poke();
      if (e.type === 'task-committed') this.events.emit('task', { taskId: e.taskId, nodeId: e.nodeId, partitions: e.partitions, ms: e.ms });
      if (e.type === 'node-lost' && e.requeued > 0) this.log('warn', `node ${e.nodeId} was lost with ${e.requeued} task(s) running; they were queued again`);
      if (e.type === 'task-failed') this.log(e.willRetry ? 'warn' : 'error', `task ${e.taskId} failed on ${e.nodeId}: [${e.error.code}] ${e.error.message}${e.willRetry ? ' (will retry)' : ''}`);
      if (e.type === 'duplicate-dropped') this.log('info', `late duplicate result for ${e.taskId} from ${e.nodeId} dropped`);
      if (e.type === 'task-speculated') this.log('info', `straggler ${e.taskId} had run ${(e.runningMs / 1000).toFixed(1)} s on ${e.slowNodeId} (median ${(e.medianMs / 1000).toFixed(1)} s): a copy started on ${e.nodeId}; the first result wins`);
      if (e.type === 'trust-changed' && e.state === 'excluded') this.log('warn', `node ${e.nodeId} excluded: ${e.reason ?? 'failed a verification check'}; its results in running jobs are computed again`);
      if (e.type === 'task-uncommitted') this.log('info', `result of ${e.taskId} from excluded node ${e.nodeId} discarded; it runs again`);
    });
  }

  /** Starts a coordinator: its local slots, and a room for volunteers. */
  static async start(options: FabricOptions = {}): Promise<Fabric> {
    const fabric = new Fabric(options);
    const slots = options.localSlots ?? Math.max(1, (navigator.hardwareConcurrency || 2) - 1);
    await Promise.all([fabric.setLocalSlots(slots), options.room === false ? undefined : fabric.openRoom()]);
    return fabric;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof FabricEvents>(event: K, handler: (payload: FabricEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  /** The nodes table. */
  nodes(): NodeInfo[] {
    return this.cluster.list();
  }

  /** Recent log lines, oldest first. */
  logs(): readonly LogEntry[] {
    return this.logLines;
  }

  /** How volunteers join, or undefined when no room is open. */
  get join(): JoinInfo | undefined {
    if (!this.room) return undefined;
    return { link: this.room.joinLink(this.publicOrigin), room: this.room.id, token: this.room.token };
  }

  /** The loaded dataset, if any. */
  get dataset(): DatasetInfo | undefined {
    return this.store.info;
  }

  /** Loads a dataset: a built-in name (`'flights-3m'`), a URL, a File or Blob, or bytes. */
  async load(source: DatasetSource, options: LoadDatasetOptions = {}): Promise<DatasetInfo> {
    try {
      // Named (files hashed) beside the load, so a checkpoint can tell the same data again.
      const [info, identity] = await Promise.all([this.store.load(source, options), identifySource(source, options, Object.keys(BUILTIN_DATASETS))]);
      this.identity = identity;
      this.log('info', `loaded ${info.name}: ${info.numRows.toLocaleString('en-US')} rows, ${info.columns.length} columns, ${info.partitions.length} partitions in ${info.loadMs} ms`);
      this.events.emit('dataset', info);
      return info;
    } catch (e) {
      const err = FabricError.from(e);
      this.log('error', `load failed: [${err.code}] ${err.message}`);
      throw err;
    }
  }

  /** Count, nulls, mean, std, min and max of numeric columns, computed on the slots. */
  async describe(options: DescribeOptions = {}): Promise<DescribeReport> {
    const dataset = this.store.require('describe');
    this.log('info', `describe: ${dataset.partitions.length} tasks on ${this.nodes().length} node(s)`);
    try {
      const report = await runDescribeJob(this.scheduler, dataset, options);
      this.log('info', `describe done in ${report.ms} ms: ${Object.entries(report.tasksByNode).map(([n, c]) => `${n}: ${c}`).join(', ')}`);
      return report;
    } catch (e) {
      const err = FabricError.from(e);
      this.log('error', `describe failed: [${err.code}] ${err.message}`);
      throw err;
    }
  }

  /**
   * Trains one model over every partition (Spark MLlib's pattern): a statistics pass builds the
   * features, then each optimizer step is one pass of gradient tasks on the slots.
   */
  async train(options: TrainOptions): Promise<TrainedModel> {
    return this.runTrain(options);
  }

  private async runTrain(options: TrainOptions, from?: Checkpoint & { kind: 'train' }): Promise<TrainedModel> {
    const dataset = this.store.require('train');
    const tracked = this.saved.track({ kind: 'train', options, ...(from ? { from } : {}) }, this.checkpointDataset(dataset));
    const label = options.model?.family === 'mlp' ? `MLP ${JSON.stringify(options.model.hidden)}` : `${options.model?.kind ?? '?'} regression`;
    this.log('info', `train: ${label} on ${dataset.name}, ${dataset.partitions.length} partitions, ${this.nodes().length} node(s)`);
    try {
      this.aggregator ??= chooseAggregator().then((a) => {
        this.log('info', `gradient aggregation on ${a.backend} (${a.reason})`);
        return a;
      });
      const model = await runTrainJob(this.scheduler, this.artifacts, dataset, options, await this.aggregator, tracked?.checkpointing);
      await tracked?.end();
      const m = model.metrics;
      const summary = Object.entries(m).filter(([k]) => k !== 'rows').map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`).join(', ');
      this.log('info', `train done in ${model.ms} ms: ${model.history.length - 1} iterations (${model.reason}), held-out ${summary}`);
      return model;
    } catch (e) {
      const err = FabricError.from(e);
      await tracked?.end(err);
      this.log('error', `train failed: [${err.code}] ${err.message}`);
      throw err;
    }
  }

  /**
   * Groups rows by `key` for one job per group (Spark's `groupBy(key).applyInPandas`):
   * `fabric.groupBy('origin').fit({ target: 'delay', features: ['distance'], model: ridge({ l2: 1e-3 }) })`.
   */
  groupBy(key: string): GroupBy {
    const run = async (what: string, plan: () => GroupJob, options: GroupJobOptions): Promise<GroupResults> => {
      try {
        const dataset = this.store.require(what);
        const job = plan();
        this.log('info', `${what}: by ${key} on ${dataset.name}, ${this.nodes().length} node(s)`);
        const results = await runGroupJob(this.scheduler, this.artifacts, (d, r) => this.shuffler.shuffle(d, r), dataset, job, options);
        const counts = new Map<string, number>();
        for (const r of results.rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
        this.log('info', `${what} done in ${results.ms} ms: ${results.rows.length} groups in ${results.tasks} tasks (shuffle ${results.shuffleMs} ms); ${[...counts].map(([s, c]) => `${c} ${s}`).join(', ')}`);
        for (const r of results.rows) if (r.status === 'group-too-large') this.log('warn', r.message);
        return results;
      } catch (e) {
        const err = FabricError.from(e);
        this.log('error', `${what} failed: [${err.code}] ${err.message}`);
        throw err;
      }
    };
    return {
      key,
      fit: (options) => run('groupBy().fit', () => planFitJob(this.store.require('groupBy().fit'), key, options), options),
      apply: (name, options = {}) => run('groupBy().apply', () => planApplyJob(this.store.require('groupBy().apply'), key, name, options), options),
    };
  }

  /**
   * Parallel adaptive hyperparameter search (hyperopt's `fmin` with `SparkTrials`): TPE suggests
   * points from every result so far, and `parallelism` trials run at once on the slots.
   */
  async tune(options: TuneOptions): Promise<TuneResult> {
    return this.runTune(options);
  }

  private async runTune(options: TuneOptions, from?: Checkpoint & { kind: 'tune' }): Promise<TuneResult> {
    const dataset = this.store.info;
    const tracked = options?.checkpoint || from ? this.saved.track({ kind: 'tune', options, ...(from ? { from } : {}) }, dataset && options.data ? this.checkpointDataset(dataset) : undefined) : undefined;
    try {
      this.log('info', `tune: ${options?.objective} objective, ${options?.algo ?? 'tpe'}, maxEvals ${options?.maxEvals}, parallelism ${options?.parallelism ?? 'all slots'}${dataset && options?.data ? ` on a sample of ${dataset.name}` : ''}`);
      const result = await runTuneJob(this.scheduler, this.artifacts, dataset, (ref) => this.store.bytes(ref), options, tracked?.checkpointing);
      // A run its caller stopped is cancelled: its checkpoint goes too.
      await tracked?.end(result.stopped === 'stopped' ? new FabricError('cancelled', 'stopped') : undefined);
      const ok = result.trials.filter((t) => t.status === 'ok').length;
      const failed = result.trials.filter((t) => t.status === 'fail').length;
      this.log('info', `tune done in ${result.ms} ms (${result.stopped}): ${ok} ok, ${failed} failed; best loss ${result.best ? result.best.loss.toPrecision(5) : 'none'}${result.best ? ` at ${JSON.stringify(result.best.params)}` : ''}`);
      return result;
    } catch (e) {
      const err = FabricError.from(e);
      await tracked?.end(err);
      this.log('error', `tune failed: [${err.code}] ${err.message}`);
      throw err;
    }
  }

  /** Checkpoints of train and tune jobs that did not finish (the page reloaded), the newest first. */
  checkpoints(): Promise<CheckpointSummary[]> {
    return this.saved.list();
  }

  /** Deletes a checkpoint. */
  discardCheckpoint(id: string): Promise<void> {
    return this.saved.discard(id);
  }

  /**
   * Continues a checkpointed job where it stopped, reloading its dataset first if needed (a file
   * must be given again, and is checked by SHA-256), and resolves as train or tune would: a train
   * job with the parameters an uninterrupted run reaches, a tune job with the same trial set.
   */
  async resume(id: string, options: ResumeOptions = {}): Promise<TrainedModel | TuneResult> {
    const from = await this.saved.get(id);
    const plan = await planDataset(from, this.store.info, options.file);
    if (plan.load) await this.load(plan.source, plan.options);
    checkLoaded(from, this.store.info);
    const hooks = options.signal ? { signal: options.signal } : {};
    this.log('info', `resume: ${from.kind} "${from.name}" from its checkpoint of ${new Date(from.savedAt).toLocaleTimeString('en-US')}`);
    return from.kind === 'train'
      ? this.runTrain({ ...from.options, ...hooks, ...(options.onIteration ? { onIteration: options.onIteration } : {}) }, from)
      : this.runTune({ ...from.options, ...hooks, ...(options.onTrial ? { onTrial: options.onTrial } : {}) }, from);
  }

  private checkpointDataset(d: DatasetInfo): CheckpointDataset {
    return { identity: this.identity, id: d.id, name: d.name };
  }

  /**
   * A model to score with: a tfjs LayersModel from its files (`model.json` and `.bin` shards
   * dropped on the page), from `{ modelJson, shards }`, or from the URL of its model.json. An
   * external model needs `columns`: the numeric columns it takes, in order.
   */
  async model(source: string | URL | readonly File[] | LayersModelFiles, options: ExternalModelOptions = {}): Promise<PreparedModel> {
    try {
      if (typeof source === 'string' || source instanceof URL) return await prepareLayersUrl(String(source), options);
      if (Array.isArray(source)) return await prepareLayersFiles(source as readonly File[], options);
      return prepareLayers(source as LayersModelFiles, options);
    } catch (e) {
      const err = FabricError.from(e);
      this.log('error', `model failed: [${err.code}] ${err.message}`);
      throw err;
    }
  }

  /**
   * Batch scoring (Spark's pandas iterator UDF): each slot receives the model once, loads it once,
   * and scores every batch sent to it. Predictions come back for every row, in input order.
   */
  async score(model: ScorableModel, options: ScoreOptions = {}): Promise<ScoreOutput> {
    try {
      const dataset = this.store.require('score');
      const prepared = await this.prepare(model);
      this.log('info', `score: ${prepared.name} on ${dataset.name}, ${this.nodes().length} node(s)${options.reload ? ', reloading the model for every batch' : ''}`);
      const out = await runScoreJob(this.scheduler, this.artifacts, dataset, (ref) => this.store.bytes(ref), prepared, options);
      this.log('info', `score done in ${out.ms} ms: ${out.rows.toLocaleString('en-US')} rows at ${Math.round(out.rowsPerSecond).toLocaleString('en-US')} rows/s in ${out.tasks} tasks; model loaded ${out.loads} time(s), ${out.modelBytesSent.toLocaleString('en-US')} model bytes sent`);
      return out;
    } catch (e) {
      const err = FabricError.from(e);
      this.log('error', `score failed: [${err.code}] ${err.message}`);
      throw err;
    }
  }

  /** Streaming scoring: the loaded dataset replayed in row order at `rate` rows/s, each micro-batch scored as it arrives. */
  scoreStream(model: ScorableModel, options: StreamOptions): ScoreStream {
    const dataset = this.store.require('scoreStream');
    let stream: ScoreStream | undefined;
    const starting = this.prepare(model).then((prepared) => {
      this.log('info', `scoreStream: ${prepared.name} on ${dataset.name} at ${options.rate} rows/s`);
      stream = startScoreStream(this.scheduler, this.artifacts, dataset, prepared, options, (text) => this.log('warn', text));
      return stream;
    });
    // A failure to start is reported by `finished` and the iterator; it is not also an unhandled rejection.
    starting.catch((e: unknown) => this.log('error', `scoreStream failed: ${FabricError.from(e).message}`));
    const idle: ReturnType<ScoreStream['stats']> = { batches: 0, rowsArrived: 0, rowsScored: 0, backlogRows: 0, p50: NaN, p95: NaN, p99: NaN, throughput: 0, fallingBehind: false, done: false };
    return {
      stats: () => stream?.stats() ?? idle,
      stop: () => void starting.then((s) => s.stop(), () => undefined),
      finished: starting.then((s) => s.finished),
      async *[Symbol.asyncIterator]() {
        yield* await starting;
      },
    };
  }

  /** Real time: one record, answered by a model kept hot on this machine's first slot (or any slot without one). */
  async predict(model: ScorableModel, row: PredictRow): Promise<Float64Array> {
    const prepared = await this.prepare(model);
    const node = this.local ?? this.cluster.executors()[0];
    if (!node) throw new FabricError('worker-lost', 'predict: no node has a slot; start local slots with setLocalSlots(1) or let a volunteer join');
    return this.predictor.predict(node, prepared, row);
  }

  /** Latency of `predict` so far: count, p50 and p99, ms. */
  predictStats(): PredictStats {
    return this.predictor.stats();
  }

  private prepare(model: ScorableModel): Promise<PreparedModel> {
    if (isPreparedModel(model)) return Promise.resolve(model);
    if (!model || typeof model !== 'object' || !('format' in model)) {
      return Promise.reject(new FabricError('bad-input', 'score: model must be a model from fabric.train(), or one from fabric.model(files or url, { columns })'));
    }
    let p = this.prepared.get(model);
    if (!p) this.prepared.set(model, (p = prepareTrained(model)));
    return p;
  }

  /** Restarts the local node with `count` slots (0 for none). Its running tasks are queued again. */
  async setLocalSlots(count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 0 || count > 256) {
      throw new FabricError('bad-input', `setLocalSlots: count must be a whole number from 0 to 256, got ${count}`);
    }
    this.local?.close('local node restarted with a new slot count');
    this.local = undefined;
    if (count === 0) return;
    const node = await LocalNode.start(`local-${++this.localSeq}`, count, this.blobs, (slot, report) => this.events.emit('local-probe', { slot, report }));
    this.local = node;
    this.log('info', `local node: ${count} slot(s): ${node.slots.map((s) => `${s.chosen} ${s.gflops} GFLOP/s`).join(', ')}`);
    this.addNode(node);
  }

  /**
   * Removes a volunteer: its link closes, its running tasks are queued again at once, its page
   * shows that the coordinator removed it, and its peer id is refused while this room is open.
   * Throws `bad-input` for the local node or an id that is not a joined volunteer.
   */
  kick(nodeId: string, reason = 'removed from the dashboard'): void {
    const node = this.cluster.get(nodeId);
    if (!node || node.kind !== 'volunteer' || !this.room?.kick(nodeId, reason)) {
      throw new FabricError('bad-input', `kick: "${nodeId}" is not a joined volunteer; pass the id of a volunteer row in fabric.nodes() (the local node is stopped with setLocalSlots(0))`);
    }
    this.log('warn', `volunteer ${node.name} (${nodeId}) removed by the coordinator: ${reason}`);
    // Its tasks go elsewhere now, not when its link finishes closing.
    this.scheduler.removeNode(nodeId, new FabricError('removed', `volunteer ${node.name} was removed: ${reason}`));
  }

  /** Volunteer links closed so far: refused before joining, or closed after, by reason code. */
  linkCloseStats(): LinkCloseStats | undefined {
    return this.room?.linkCloseStats();
  }

  /** Makes every local slot's tasks take `factor` times as long (straggler demos). */
  async setLocalSlowdown(factor: number): Promise<void> {
    await this.local?.setSlowdown(factor);
  }

  /**
   * Fault demos: makes every task on node `id` take `factor` times as long (1 undoes it). A
   * volunteer is told over its link; the local node slows its own slots.
   */
  async setNodeSlowdown(id: string, factor: number): Promise<void> {
    if (!Number.isFinite(factor) || factor < 1 || factor > 100) {
      throw new FabricError('bad-input', `setNodeSlowdown: factor must be a number from 1 (normal) to 100, got ${factor}`);
    }
    const node = this.requireNode('setNodeSlowdown', id);
    if (!node.setSlowdown) throw new FabricError('bad-input', `setNodeSlowdown: node ${node.name} cannot be slowed down`);
    await node.setSlowdown(factor);
    this.log('info', factor === 1 ? `node ${node.name} (${id}) set back to normal speed` : `node ${node.name} (${id}) slowed down ${factor}x`);
  }

  private requireNode(what: string, id: string): ExecutorNode {
    const node = this.cluster.get(id);
    if (!node) throw new FabricError('bad-input', `${what}: no live node has id "${id}"; the live ones are ${this.nodes().map((n) => n.id).join(', ') || 'none'}. Read ids from fabric.nodes().`);
    return node;
  }

  /** Closes the room and the local slots. */
  stop(): void {
    this.standings.stop();
    this.room?.close();
    this.local?.close('coordinator stopped');
  }

  private addNode(node: ExecutorNode): void {
    this.cluster.add(node, (n, reason) => this.log(n.kind === 'local' ? 'info' : 'warn', `${n.kind} node ${n.name} removed: [${reason.code}] ${reason.message}`));
    this.scheduler.addNode(node);
  }

  private async openRoom(): Promise<void> {
    const server: SignalServer = this.options.server ?? {
      host: location.hostname,
      port: Number(location.port) || (location.protocol === 'https:' ? 443 : 80),
      secure: location.protocol === 'https:',
      path: '/peerjs',
    };
    this.room = await Room.open({
      server,
      iceServers: this.options.iceServers,
      heartbeatMs: this.options.heartbeatMs,
      lostAfterMs: this.options.lostAfterMs,
      store: this.blobs,
      onVolunteer: (node) => this.addNode(node),
      log: (level, text) => this.log(level, text),
    });
    this.log('info', `room open: volunteers join at ${this.join!.link.split('#')[0]}`);
  }

  private log(level: LogEntry['level'], text: string): void {
    const entry = { time: Date.now(), level, text };
    this.logLines.push(entry);
    if (this.logLines.length > LOG_KEEP) this.logLines.shift();
    this.events.emit('log', entry);
  }
}
