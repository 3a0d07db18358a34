/**
 * The coordinator's side of checkpoints: turning a job's state into a stored {@link Checkpoint}
 * (with the job's options and dataset), listing them, and ending them. A checkpoint is deleted
 * when its job finishes, is cancelled by its caller, or fails on its input (a resume would fail
 * the same way); it is kept when the job dies any other way (the page reloads, nodes are lost),
 * which is what resume is for.
 */
import { FabricError } from '../../protocol/errors';
import type { TrainOptions } from '../jobs/train';
import type { TuneOptions } from '../jobs/tune-types';
import type { Checkpoint, CheckpointDataset, CheckpointSummary, JobCheckpointing, StoredTrainOptions, StoredTuneOptions, TrainState, TuneState } from './checkpoint-types';
import { CheckpointStore, CheckpointWriter } from './checkpoint-store';

/** A job being checkpointed: what to give the job, and how to end it. */
export interface TrackedJob<S> {
  readonly id: string;
  readonly checkpointing: JobCheckpointing<S>;
  /** Waits for the writes; deletes the checkpoint unless `error` says the job can be resumed. */
  end(error?: unknown): Promise<void>;
}

/** What a job is, for its checkpoints. */
type JobSpec =
  | { readonly kind: 'train'; readonly options: TrainOptions; readonly from?: Checkpoint & { kind: 'train' } }
  | { readonly kind: 'tune'; readonly options: TuneOptions; readonly from?: Checkpoint & { kind: 'tune' } };

/** The options without callbacks and signal: what a resume needs and IndexedDB can clone. */
function storable<O extends { signal?: AbortSignal }>(options: O): Omit<O, 'signal' | 'onIteration' | 'onTrial'> {
  const { signal: _signal, onIteration: _i, onTrial: _t, ...rest } = options as O & { onIteration?: unknown; onTrial?: unknown };
  return rest;
}

/** The default name: the model or the search. */
function defaultName(spec: JobSpec): string {
  if (spec.kind === 'tune') return `tune ${spec.options.algo ?? 'tpe'} on ${spec.options.objective}`;
  const m = spec.options.model;
  return m?.family === 'mlp' ? `MLP [${m.hidden.join(', ')}]` : m?.kind ?? 'train';
}

/** How far a checkpoint got, for the list and the page's notice. */
export function summarize(c: Checkpoint): CheckpointSummary {
  const common = { id: c.id, name: c.name, savedAt: c.savedAt, dataset: c.dataset?.name, needsFile: c.dataset?.identity?.kind === 'file' };
  if (c.kind === 'tune') return { ...common, kind: 'tune', options: c.options, done: c.state.finished.length, total: c.options.maxEvals, unit: 'trials' };
  const last = c.state.history.at(-1);
  const train = { ...common, kind: 'train' as const, options: c.options };
  if (c.state.family === 'mlp') return { ...train, done: c.state.iteration, total: last?.maxIter ?? c.state.iteration, unit: 'steps' };
  return { ...train, done: last?.iteration ?? 0, total: c.options.maxIter ?? 100, unit: 'iterations' };
}

/** Whether a job that ended with `error` may be resumed (its checkpoint is kept). */
function resumable(error: unknown): boolean {
  const code = FabricError.from(error).code;
  return code !== 'cancelled' && code !== 'bad-input';
}

/** The checkpoints of this page's origin. */
export class Checkpoints {
  private store: Promise<CheckpointStore> | undefined;

  /** @param factory IndexedDB (a shim in Node tests); opened at first use. */
  constructor(private readonly factory?: IDBFactory, private readonly onError: (e: unknown) => void = () => undefined) {}

  private open(): Promise<CheckpointStore> {
    this.store ??= CheckpointStore.open(this.factory);
    return this.store;
  }

  /** Every checkpoint, the newest first. An origin without IndexedDB has none. */
  async list(): Promise<CheckpointSummary[]> {
    const store = await this.open().catch(() => undefined);
    return store ? (await store.list()).map(summarize) : [];
  }

  /** The checkpoint with `id`; throws `bad-input` when there is none. */
  async get(id: string): Promise<Checkpoint> {
    const found = typeof id === 'string' ? await (await this.open()).get(id) : undefined;
    if (!found) throw new FabricError('bad-input', `resume: there is no checkpoint "${String(id)}"; fabric.checkpoints() lists the ones on this page`);
    return found;
  }

  /** Deletes a checkpoint (nothing if it is gone). */
  async discard(id: string): Promise<void> {
    await (await this.open()).delete(id);
  }

  /**
   * Starts checkpointing a job: its own when `options.checkpoint` is given, or the one it resumes
   * (same id, same settings). Undefined when the job keeps no checkpoints.
   */
  track(spec: { kind: 'train'; options: TrainOptions; from?: Checkpoint & { kind: 'train' } }, dataset: CheckpointDataset | undefined): TrackedJob<TrainState> | undefined;
  track(spec: { kind: 'tune'; options: TuneOptions; from?: Checkpoint & { kind: 'tune' } }, dataset: CheckpointDataset | undefined): TrackedJob<TuneState> | undefined;
  track(spec: JobSpec, dataset: CheckpointDataset | undefined): TrackedJob<TrainState> | TrackedJob<TuneState> | undefined {
    if (!spec.options?.checkpoint && !spec.from) return undefined;
    const now = Date.now();
    const id = spec.from?.id ?? `ckpt-${now.toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
    const writer = new CheckpointWriter(this.open(), this.onError);
    const base = {
      version: 1 as const, id, name: spec.from?.name ?? spec.options.checkpoint?.name ?? defaultName(spec),
      createdAt: spec.from?.createdAt ?? now, dataset: spec.from?.dataset ?? dataset,
    };
    const end = async (error?: unknown): Promise<void> => writer.finish(id, error !== undefined && resumable(error));
    if (spec.kind === 'train') {
      const options: StoredTrainOptions = spec.from?.options ?? storable(spec.options);
      return { id, end, checkpointing: { from: spec.from?.state, save: (state: TrainState) => writer.save({ ...base, kind: 'train', options, state, savedAt: Date.now() }) } };
    }
    const options: StoredTuneOptions = spec.from?.options ?? storable(spec.options);
    return { id, end, checkpointing: { from: spec.from?.state, save: (state: TuneState) => writer.save({ ...base, kind: 'tune', options, state, savedAt: Date.now() }) } };
  }
}
