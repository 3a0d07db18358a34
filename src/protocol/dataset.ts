/** Contracts for datasets and partitions, shared by the loader, the coordinator and the slots. */

/** What a column holds, as shown on the page and used by jobs. */
export interface ColumnInfo {
  readonly name: string;
  /** Arrow's type, printed (e.g. `Int64`, `Timestamp<MICROSECOND>`, `Utf8`). */
  readonly type: string;
  /** True for integer, floating-point, date and timestamp columns: `describe` covers these. */
  readonly numeric: boolean;
  readonly nullable: boolean;
}

/** A content-addressed blob a slot caches: a partition, or an artifact such as a feature plan. */
export interface BlobRef {
  /** Stable id. */
  readonly id: string;
  /** Size in bytes. */
  readonly byteLength: number;
  /** SHA-256 of the bytes, hex. A slot checks it before caching. */
  readonly hash: string;
}

/**
 * A reference to one partition: what a task names and what a slot caches. The number of
 * partitions depends on the dataset only, never on how many nodes joined.
 */
export interface PartitionRef extends BlobRef {
  /** Stable id, `<datasetId>/<index>`. */
  readonly id: string;
  /** Position in the dataset; results are combined in this order. */
  readonly index: number;
  /** Index in the whole dataset of the partition's first row (per-row splits hash this). */
  readonly rowStart: number;
  readonly numRows: number;
  /** Size of the partition's Arrow IPC stream in bytes. */
  readonly byteLength: number;
}

/**
 * An artifact: bytes a task needs besides partitions (a feature plan, later a model), sent to a
 * slot once and cached there by content hash. Ids are `a-<first 16 hex of the hash>`.
 */
export type ArtifactRef = BlobRef;

/** A loaded dataset as the coordinator describes it. */
export interface DatasetInfo {
  /** Content-derived id (hash prefix of the source), so reloading the same file gives the same ids. */
  readonly id: string;
  readonly name: string;
  readonly numRows: number;
  readonly columns: readonly ColumnInfo[];
  readonly partitions: readonly PartitionRef[];
  /** Milliseconds spent reading and partitioning. */
  readonly loadMs: number;
}
