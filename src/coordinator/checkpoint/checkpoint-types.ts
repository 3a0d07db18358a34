/**
 * What a checkpoint of a train or tune job holds: the job's options (without callbacks and
 * signal), the dataset it ran on, and the job's state at an iteration (train) or trial (tune)
 * boundary, from which the job continues exactly. Every field is plain data or a Float64Array,
 * so a checkpoint is stored by structured clone in one IndexedDB transaction.
 */
import type { OptimizerState } from '../../ml/optim/state';
import type { StepperState } from '../../ml/optim/adam';
import type { Point } from '../../ml/tune/space';
import type { FeaturePlan } from '../../protocol/train';
import type { TrainIteration, TrainOptions } from '../jobs/train';
import type { Trial, TuneOptions } from '../jobs/tune-types';

/** The `checkpoint` option of `train` and `tune`. Absent: no checkpoints (the API's default). */
export interface CheckpointOptions {
  /** Write after every N optimizer iterations (MLP: steps) or finished trials (1). */
  readonly every?: number;
  /** Shown in the list of checkpoints; the model or objective when omitted. */
  readonly name?: string;
}

/**
 * How to load the dataset again: a built-in name, a URL, a generated dataset, or a file known by
 * name, size and SHA-256 (its bytes are not kept, so resume asks for the file and checks them).
 */
export type DatasetIdentity = (
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'synthetic'; readonly options: Readonly<Record<string, number | undefined>> }
  | { readonly kind: 'file'; readonly name: string; readonly size: number; readonly sha256: string }
) & { readonly partitionRows?: number };

/** The dataset a checkpointed job ran on. */
export interface CheckpointDataset {
  /** How to load it again; undefined when it was loaded in a way that cannot be repeated. */
  readonly identity: DatasetIdentity | undefined;
  /** The content-derived dataset id (hash of its partitions), checked after the reload. */
  readonly id: string;
  readonly name: string;
}

/** A GLM's job state after an accepted iteration. */
export interface GlmTrainState {
  readonly family: 'glm';
  readonly plan: FeaturePlan;
  readonly optimizer: OptimizerState;
  readonly history: readonly TrainIteration[];
  readonly elapsedMs: number;
}

/** An MLP's job state after an optimizer step. */
export interface MlpTrainState {
  readonly family: 'mlp';
  readonly plan: FeaturePlan;
  /** The weights in float64, as the coordinator keeps them. */
  readonly weights: Float64Array;
  readonly stepper: StepperState;
  /** The next step to run: epoch and step within it. */
  readonly epoch: number;
  readonly step: number;
  /** Steps taken. */
  readonly iteration: number;
  /** The latest held-out loss (it is measured every few steps). */
  readonly holdout: number;
  readonly history: readonly TrainIteration[];
  readonly elapsedMs: number;
}

/** A train job's state. */
export type TrainState = GlmTrainState | MlpTrainState;

/** A tune job's state after a trial ended. */
export interface TuneState {
  /** Every finished trial (ok or fail), in id order. */
  readonly finished: readonly Trial[];
  /** Trials that were running: run again on resume with the same id and point, counted once. */
  readonly pending: readonly { readonly id: number; readonly point: Point }[];
  /** The suggestion generator's state after the last suggestion. */
  readonly randomState: number;
  /** Trials at once, as resolved when the run started (kept: suggestions depend on it). */
  readonly parallelism: number;
  /** The best loss so far and finished trials since it improved (early stop), in completion order. */
  readonly best: number;
  readonly sinceBest: number;
  readonly elapsedMs: number;
}

/** Train options as stored: everything but callbacks and the signal. */
export type StoredTrainOptions = Omit<TrainOptions, 'onIteration' | 'signal'>;
/** Tune options as stored: everything but callbacks and the signal. */
export type StoredTuneOptions = Omit<TuneOptions, 'onTrial' | 'signal'>;

interface CheckpointCommon {
  readonly version: 1;
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly savedAt: number;
  readonly dataset: CheckpointDataset | undefined;
}

/** One stored checkpoint. */
export type Checkpoint =
  | (CheckpointCommon & { readonly kind: 'train'; readonly options: StoredTrainOptions; readonly state: TrainState })
  | (CheckpointCommon & { readonly kind: 'tune'; readonly options: StoredTuneOptions; readonly state: TuneState });

/** A checkpoint as `fabric.checkpoints()` lists it: how far it got, and the job's options. */
export type CheckpointSummary = {
  readonly id: string;
  readonly name: string;
  /** Iterations (GLM), steps (MLP) or trials done, of at most `total`. */
  readonly done: number;
  readonly total: number;
  readonly unit: 'iterations' | 'steps' | 'trials';
  readonly savedAt: number;
  /** The dataset's name, if the job had one. */
  readonly dataset: string | undefined;
  /** True when resuming needs the user's file again (`resume(id, { file })`). */
  readonly needsFile: boolean;
} & ({ readonly kind: 'train'; readonly options: StoredTrainOptions } | { readonly kind: 'tune'; readonly options: StoredTuneOptions });

/** What a job needs to checkpoint: where to send its state, and the state to continue from. */
export interface JobCheckpointing<S> {
  /** Called at a boundary; must not block (the write happens off the job's path). */
  readonly save: (state: S) => void;
  readonly from?: S | undefined;
}

/** Options of `fabric.resume`: the callbacks of train or tune, and the file when the job ran on one. */
export interface ResumeOptions {
  /** As train's; it is first called with every iteration the checkpoint holds, so a chart shows the whole run. */
  readonly onIteration?: TrainOptions['onIteration'];
  /** As tune's; the trials it is called with include every finished trial of the checkpoint. */
  readonly onTrial?: TuneOptions['onTrial'];
  /** Aborting cancels the resumed job, and its checkpoint is deleted. */
  readonly signal?: AbortSignal;
  /** The user's file the job ran on (checked by SHA-256); built-in and URL datasets reload by themselves. */
  readonly file?: Blob;
}
