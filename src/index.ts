/**
 * Fabric's public API: a coordinator (`Fabric`), a volunteer (`Volunteer`), and the one error class.
 * The pages in src/ui are built on these exports and nothing else.
 */
// The app's group tasks and objectives, so the page lists the same names its slots run.
import './app-group-tasks';
import './app-objectives';
export { Fabric, type FabricOptions, type FabricEvents, type JoinInfo, type LogEntry } from './coordinator/fabric';
export type { NodeInfo } from './coordinator/cluster';
export type { LinkCloseStats } from './coordinator/room';
export { BUILTIN_DATASETS, type DatasetSource, type LoadDatasetOptions } from './coordinator/dataset-store';
export type { CsvColumnType } from './data/csv-types';
export type { DescribeOptions, DescribeReport, DescribeRow } from './coordinator/jobs/describe';
export type { TrainOptions, TrainIteration, TrainedGlm, TrainedModel } from './coordinator/jobs/train';
export type { TrainedMlp } from './coordinator/jobs/train-mlp';
export type { ModelMetrics } from './coordinator/jobs/train-metrics';
export { exportGlm, exportMlp } from './coordinator/jobs/train-export';
export { linearRegression, logisticRegression, softmaxRegression, ols, ridge, mlp, type ModelSpec, type GlmSpec, type GlmOptions, type MlpSpec, type MlpOptions } from './ml/models';
export type { FeatureSpec, TargetSpec, MissingPolicy, FeaturePlan } from './protocol/train';
export type { JobProgress, SchedulerOptions } from './coordinator/scheduler';
export type { SignalServer } from './coordinator/room';
export { Volunteer, type JoinOptions, type VolunteerStatus, type VolunteerState } from './worker/volunteer';
export type { Standing } from './protocol/messages';
export { FabricError, ERROR_CODES, type FabricErrorCode } from './protocol/errors';
export type { ColumnInfo, DatasetInfo, PartitionRef } from './protocol/dataset';
export type { ProbeReport, BackendName } from './protocol/slot-api';
export type { GroupBy, GroupFitOptions, GroupApplyOptions, GroupJobOptions } from './coordinator/group-by';
export { groupResultsToArrow, groupResultsToCsv, groupResultsToIpc, type GroupResults, type GroupResultRow, type GroupProgress } from './coordinator/jobs/group-results';
export { synthetic, type IotOptions, type SyntheticSource } from './coordinator/synthetic';
export { defineGroupTask, groupTaskNames, type GroupTaskFn, type GroupTaskContext, type GroupValue } from './ml/group-tasks';
export { FIT_STATUSES, type FitStatus } from './ml/fit-status';
export type { DeviceTruth } from './data/synthetic-iot';
export { groupResultsToParquet, tableToParquet } from './coordinator/jobs/group-export';
export { hp, validateSpace, resolvePoint, type Space, type SpaceValue, type HpNode, type Point } from './ml/tune/space';
export type { TuneOptions, TuneData, TuneResult, Trial, TuneStop } from './coordinator/jobs/tune-types';
export type { CheckpointOptions, CheckpointSummary, ResumeOptions } from './coordinator/checkpoint/checkpoint-types';
export type { Liar, TpeOptions, Algo } from './ml/tune/tpe';
export { mlpTrialParams, flattenParams, type MlpTrialParams } from './ml/tune/mlp-params';
export { defineObjective, objectiveNames, type ObjectiveFn, type ObjectiveContext, type ObjectiveOutput } from './ml/objectives';
export type { ScorableModel, ScoreOptions, ScoreOutput, ScoreProgress, StreamOptions, ScoredBatch, StreamStats, ScoreStream, PredictStats } from './coordinator/jobs/score-types';
export type { PreparedModel, LayersModelFiles, ExternalModelOptions } from './coordinator/score-model';
export type { PredictRow } from './coordinator/predict';
