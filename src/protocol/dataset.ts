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

/**
 * A reference to one partition: what a task names and what a slot caches. The number of
 * partitions depends on the dataset only, never on how many nodes joined.
 */
export interface PartitionRef {
  /** Stable id, `<datasetId>/<index>`. */
  readonly id: string;
  /** Position in the dataset; results are combined in this order. */
  readonly index: number;
  readonly numRows: number;
  /** Size of the partition's Arrow IPC stream in bytes. */
  readonly byteLength: number;
  /** SHA-256 of the IPC bytes, hex. A slot checks it before caching. */
  readonly hash: string;
}

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
