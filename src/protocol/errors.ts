/**
 * The one error class of Fabric. Every failure that reaches a user or crosses a boundary (worker,
 * link, API) is a `FabricError` with a documented `code`. Only the scheduler decides on retries,
 * and it decides from `retryable`.
 */

/** Every error code, with what it means. Keep this table and README's in step. */
export const ERROR_CODES = {
  'bad-input': 'An argument or parameter is wrong. Permanent: fix the call.',
  'no-dataset': 'A job was asked for before any dataset was loaded. Permanent: call load() first.',
  'empty-file': 'The file has no bytes, or (CSV) a header but no data rows. Permanent.',
  'unsupported-file': 'The file is not in a format Fabric reads (Parquet, Arrow IPC, UTF-8 CSV). Permanent.',
  'corrupt-file': 'The file claims a format but cannot be read (truncated or damaged; a CSV row with the wrong number of fields, a quote that never closes, or text that is not UTF-8). The message names the line. Permanent.',
  'bad-value': 'A CSV cell does not fit its column: text among numbers, or an infinite number. The message names the column, line and value. Permanent.',
  'duplicate-column': 'Two columns of a file share a name. The message names it. Permanent: rename one.',
  'line-too-long': 'A CSV record is longer than 16 MiB with no line break (not a CSV, or a quote that never closes). The message names the line. Permanent.',
  'schema-mismatch': 'A message or result did not match its schema. The sending link is closed.',
  'bad-frame': 'A frame on a link could not be decoded. The link is closed.',
  'message-too-large': 'A message on a link exceeded its size cap. The link is closed.',
  'bad-token': 'A volunteer presented the wrong room token. The link is closed.',
  'unknown-task-kind': 'A task kind that is not in the registry. The link is closed.',
  'protocol-violation': 'A well-formed message that makes no sense in the conversation (a result for a task never sent or already answered, an ack for a blob never sent, a second hello). The link is closed.',
  'rate-limited': 'Too many join attempts with one room token in a short time. The link is closed; wait a few seconds and join again.',
  'removed': 'The coordinator removed this volunteer. Its link is closed and its peer id is not admitted again while the room is open.',
  'worker-lost': 'A slot or node disappeared while it held work. Retryable elsewhere.',
  'link-closed': 'A link closed or its heartbeat stopped. Retryable elsewhere.',
  'task-failed': 'A task threw on its slot for a reason that may not recur. Retryable, counted.',
  'not-cached': 'A slot no longer holds a partition or artifact it was sent (it evicted it for newer ones). The node sends it again and reruns the task.',
  'too-many-failures': 'A task failed its maximum number of times (4), so its job failed.',
  'backend-unavailable': 'No compute backend (webgpu, wasm, cpu) could start; each reason is listed.',
  'device-lost': 'A slot\'s WebGPU device was lost while it ran the task. The slot gets a new device or falls back to wasm/cpu; the task is retried (and counted, so a device that keeps failing cannot retry forever).',
  'peer-server-unavailable': 'The PeerJS signalling server could not be reached.',
  'group-too-large': 'fitGroups: a group needs more memory on a slot than the budget (budgetBytes). Its row in the results has this status and names the group, its size and the budget; the other groups finish.',
  'untrusted': 'Verification mode: a volunteer returned a result that disagreed with the coordinator\'s own or with two other nodes. It is excluded and its results are computed again.',
  'verification-failed': 'Verification mode: three nodes returned three different results for one task, so none can be trusted. Permanent.',
  'cancelled': 'The job was stopped by its caller.',
  'dataset-mismatch': 'resume: the data offered or loaded is not the data the checkpoint was made on (file hash or dataset id differs). Permanent: give the original file, or discard the checkpoint.',
  'internal': 'A bug in Fabric. Please report it with the message.',
} as const;

/** A documented error code. */
export type FabricErrorCode = keyof typeof ERROR_CODES;

/** Codes the scheduler may retry on another slot. Everything else is permanent. */
const RETRYABLE: ReadonlySet<FabricErrorCode> = new Set(['worker-lost', 'link-closed', 'task-failed', 'not-cached', 'device-lost']);

/** The plain shape in which an error crosses a worker or network boundary. */
export interface SerializedError {
  readonly code: FabricErrorCode;
  readonly message: string;
  readonly stack?: string | undefined;
}

/** Fabric's error. `message` says what was expected, what was received, and how to fix it. */
export class FabricError extends Error {
  override readonly name = 'FabricError';
  /** One of {@link ERROR_CODES}. */
  readonly code: FabricErrorCode;

  constructor(code: FabricErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** True when the scheduler may run the work again elsewhere. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** The shape sent across workers and links. */
  toJSON(): SerializedError {
    return { code: this.code, message: this.message, stack: this.stack };
  }

  /** Rebuilds an error sent with {@link toJSON}. Unknown codes become `internal`. */
  static fromJSON(e: { code: string; message: string; stack?: string | undefined }): FabricError {
    const code = isErrorCode(e.code) ? e.code : 'internal';
    const err = new FabricError(code, e.message);
    if (e.stack) err.stack = e.stack;
    return err;
  }

  /** Wraps anything thrown into a FabricError, keeping FabricErrors as they are. */
  static from(e: unknown, fallback: FabricErrorCode = 'internal'): FabricError {
    if (e instanceof FabricError) return e;
    if (e instanceof Error) return new FabricError(fallback, e.message, { cause: e });
    return new FabricError(fallback, String(e));
  }
}

/** Type guard for {@link FabricErrorCode}. */
export function isErrorCode(code: string): code is FabricErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
