/**
 * Fabric's public API: a coordinator (`Fabric`), a volunteer (`Volunteer`), and the one error class.
 * The pages in src/ui are built on these exports and nothing else.
 */
export { Fabric, type FabricOptions, type FabricEvents, type JoinInfo, type LogEntry } from './coordinator/fabric';
export type { NodeInfo } from './coordinator/cluster';
export { BUILTIN_DATASETS, type DatasetSource, type LoadDatasetOptions } from './coordinator/dataset-store';
export type { DescribeOptions, DescribeReport, DescribeRow } from './coordinator/jobs/describe';
export type { TrainOptions, TrainIteration, TrainedGlm, TrainedModel } from './coordinator/jobs/train';
export type { TrainedMlp } from './coordinator/jobs/train-mlp';
export type { ModelMetrics } from './coordinator/jobs/train-metrics';
export { exportGlm, exportMlp } from './coordinator/jobs/train-export';
export { linearRegression, logisticRegression, softmaxRegression, mlp, type ModelSpec, type GlmSpec, type GlmOptions, type MlpSpec, type MlpOptions } from './ml/models';
export type { FeatureSpec, TargetSpec, MissingPolicy, FeaturePlan } from './protocol/train';
export type { JobProgress, SchedulerOptions } from './coordinator/scheduler';
export type { SignalServer } from './coordinator/room';
export { Volunteer, type JoinOptions, type VolunteerStatus, type VolunteerState } from './worker/volunteer';
export { FabricError, ERROR_CODES, type FabricErrorCode } from './protocol/errors';
export type { ColumnInfo, DatasetInfo, PartitionRef } from './protocol/dataset';
export type { ProbeReport, BackendName } from './protocol/slot-api';
