/**
 * The wire between the coordinator and a volunteer node: message unions tagged by `type`, each with
 * a schema. Every message from a peer is parsed by these schemas before anything reads it; strings
 * and arrays are capped so a hostile peer cannot make us allocate without bound.
 */
import { z } from './zod';
import { ERROR_CODES } from './errors';

/** Bumped when a message changes shape; a volunteer on another version is turned away. */
export const PROTOCOL_VERSION = 2;

const id = z.string().min(1).max(256);
const errorCode = z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]);

export const SerializedErrorSchema = z.object({
  code: errorCode,
  message: z.string().max(8192),
  stack: z.string().max(16384).optional(),
});

export const ArtifactRefSchema = z.object({
  id,
  byteLength: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

export const PartitionRefSchema = ArtifactRefSchema.extend({
  index: z.number().int().nonnegative(),
  rowStart: z.number().int().nonnegative(),
  numRows: z.number().int().nonnegative(),
});

const backendName = z.enum(['webgpu', 'wasm', 'cpu']);
export const ProbeReportSchema = z.object({
  chosen: backendName,
  gflops: z.number().nonnegative(),
  measurements: z.array(z.object({
    backend: backendName,
    ok: z.boolean(),
    gflops: z.number().nonnegative().optional(),
    reason: z.string().max(2048).optional(),
  })).max(8),
  gpu: z.string().max(256).optional(),
  crossOriginIsolated: z.boolean(),
  kernel: z.object({
    chosen: z.enum(['cpu', 'webgpu']),
    cpuMs: z.number().nonnegative(),
    gpuMs: z.number().nonnegative().optional(),
    reason: z.string().max(1024).optional(),
  }).optional(),
  deviceLost: z.object({
    count: z.number().int().nonnegative(),
    backend: backendName,
    kernel: z.enum(['cpu', 'webgpu']),
    detail: z.string().max(1024),
  }).optional(),
});

const taskReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown(), ms: z.number().nonnegative() }),
  z.object({ ok: z.literal(false), error: SerializedErrorSchema }),
]);

/** Messages a volunteer sends. */
export const VolunteerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    protocol: z.number().int(),
    token: z.string().max(256),
    name: z.string().max(64),
    userAgent: z.string().max(512),
    // A browser offers at most a few hundred cores; more is a lie or a bug.
    slots: z.array(ProbeReportSchema).min(1).max(256),
    /** SHA-256 hashes of models the volunteer keeps on disk (IndexedDB) from earlier visits. */
    stored: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(256).optional(),
  }),
  z.object({ type: z.literal('heartbeat'), sentAt: z.number() }),
  /** Reply to a `partition` or `artifact` message. */
  z.object({ type: z.literal('cached'), slot: z.number().int().nonnegative(), id, reply: z.union([
    z.object({ ok: z.literal(true) }),
    z.object({ ok: z.literal(false), error: SerializedErrorSchema }),
  ]) }),
  /** A task's reply; an ok reply's binary outputs follow as the message's payloads. */
  z.object({ type: z.literal('result'), slot: z.number().int().nonnegative(), taskId: id, reply: taskReply }),
  z.object({ type: z.literal('status'), text: z.string().max(512) }),
  /** A slot's new report, after it lost a WebGPU device and re-acquired one or fell back. */
  z.object({ type: z.literal('slot-report'), slot: z.number().int().nonnegative(), report: ProbeReportSchema }),
  /** The volunteer changed its nickname after joining (the volunteer page's name field). */
  z.object({ type: z.literal('rename'), name: z.string().max(64) }),
  z.object({ type: z.literal('bye'), reason: z.string().max(512) }),
]);

/** Where a volunteer stands among the live nodes (classroom mode); tasks committed, not merely run. */
export const StandingSchema = z.object({
  tasksDone: z.number().int().nonnegative(),
  /** This node's fraction of all tasks the live nodes committed, 0 to 1. */
  share: z.number().min(0).max(1),
  /** 1 for the node with the most tasks committed. */
  rank: z.number().int().positive(),
  /** Live nodes ranked, this one included. */
  of: z.number().int().positive(),
});

/** Slowdown factors a coordinator may ask for: 1 is normal; past 100 a task would look lost. */
export const SlowdownFactorSchema = z.number().min(1).max(100);

/** Messages the coordinator sends. */
export const CoordinatorMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), nodeId: id, heartbeatMs: z.number().positive(), lostAfterMs: z.number().positive() }),
  z.object({ type: z.literal('reject'), code: errorCode, reason: z.string().max(2048) }),
  z.object({ type: z.literal('heartbeat'), sentAt: z.number() }),
  /** Fault demos: every task on this volunteer is to take `factor` times as long (1 undoes it). */
  z.object({ type: z.literal('slowdown'), factor: SlowdownFactorSchema }),
  /** The volunteer's standing, sent now and then so its page can show its share and rank. */
  z.object({ type: z.literal('standing'), standing: StandingSchema }),
  /** One partition's Arrow IPC bytes follow as the message's single binary payload. */
  z.object({ type: z.literal('partition'), slot: z.number().int().nonnegative(), ref: PartitionRefSchema }),
  /** One artifact's bytes follow as the message's single binary payload; `keep` asks the volunteer to store it on disk (a model). */
  z.object({ type: z.literal('artifact'), slot: z.number().int().nonnegative(), ref: ArtifactRefSchema, keep: z.boolean().optional() }),
  /** Cache an artifact the volunteer said it stores, from its disk: no payload. It answers `cached`. */
  z.object({ type: z.literal('artifact-stored'), slot: z.number().int().nonnegative(), ref: ArtifactRefSchema }),
  /** A task; its binary inputs (e.g. model parameters) follow as the message's payloads. */
  z.object({
    type: z.literal('task'),
    slot: z.number().int().nonnegative(),
    task: z.object({
      taskId: id,
      kind: z.string().max(64),
      params: z.unknown(),
      partitions: z.array(PartitionRefSchema).max(4096),
      artifacts: z.array(ArtifactRefSchema).max(64),
    }),
  }),
]);

export type VolunteerMessage = z.infer<typeof VolunteerMessageSchema>;
export type CoordinatorMessage = z.infer<typeof CoordinatorMessageSchema>;
export type Standing = z.infer<typeof StandingSchema>;
