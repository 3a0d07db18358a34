/**
 * Which dataset a checkpoint was made on, and getting it back for a resume: a built-in, a URL or
 * a generated dataset is loaded again by itself; a user's file is known by name, size and SHA-256,
 * so resume asks for it and refuses a different one. After any reload the content-derived dataset
 * id must match too (a URL whose content changed is refused the same way).
 */
import { sha256Hex } from '../../data/partition';
import type { DatasetInfo } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import { isSyntheticSource, synthetic, type IotOptions } from '../synthetic';
import type { DatasetSource, LoadDatasetOptions } from '../dataset-store';
import type { Checkpoint, DatasetIdentity } from './checkpoint-types';

/**
 * The identity of `source` as `load` was given it, or undefined for sources that cannot be named
 * again (raw bytes are hashed like a file). `builtins` are the built-in dataset names.
 */
export async function identifySource(source: DatasetSource, options: LoadDatasetOptions, builtins: readonly string[]): Promise<DatasetIdentity | undefined> {
  const rows = options.partitionRows === undefined ? {} : { partitionRows: options.partitionRows };
  if (isSyntheticSource(source)) return { kind: 'synthetic', options: { ...source.options }, ...rows };
  if (typeof source === 'string' && builtins.includes(source)) return { kind: 'builtin', name: source, ...rows };
  if (typeof source === 'string' || source instanceof URL) return { kind: 'url', url: String(source), ...rows };
  if (source instanceof Blob) return { ...(await fileIdentity(source, options.name)), ...rows };
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source.slice();
    return { kind: 'file', name: options.name ?? 'bytes', size: bytes.byteLength, sha256: await sha256Hex(bytes), ...rows };
  }
  return undefined;
}

/** A file's name, size and SHA-256. */
export async function fileIdentity(file: Blob, name?: string): Promise<DatasetIdentity & { kind: 'file' }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { kind: 'file', name: name ?? (file instanceof File ? file.name : 'blob'), size: bytes.byteLength, sha256: await sha256Hex(bytes) };
}

/** "flights.csv (12,345 bytes, SHA-256 ab12cd34…)". */
export function describeFile(f: { name: string; size: number; sha256: string }): string {
  return `${f.name} (${f.size.toLocaleString('en-US')} bytes, SHA-256 ${f.sha256.slice(0, 12)}…)`;
}

/** What a resume must load first: nothing, a source `load` takes, or a refusal. */
export type DatasetPlan = { readonly load: false } | { readonly load: true; readonly source: DatasetSource; readonly options: LoadDatasetOptions };

/**
 * Decides how to get `checkpoint`'s dataset back, given what is loaded now and the file the caller
 * offered. Throws `no-dataset` when a file is needed and none was given, and `dataset-mismatch`
 * when the file offered is not the one the job ran on.
 */
export async function planDataset(checkpoint: Checkpoint, loaded: DatasetInfo | undefined, file: Blob | undefined): Promise<DatasetPlan> {
  const d = checkpoint.dataset;
  if (!d || loaded?.id === d.id) return { load: false };
  const identity = d.identity;
  const options: LoadDatasetOptions = identity?.partitionRows === undefined ? {} : { partitionRows: identity.partitionRows };
  if (!identity) {
    throw new FabricError('no-dataset', `resume: checkpoint "${checkpoint.name}" ran on ${d.name}, which was loaded from bytes that cannot be named again; load the same data with fabric.load(...) and resume again`);
  }
  if (identity.kind === 'builtin') return { load: true, source: identity.name, options };
  if (identity.kind === 'url') return { load: true, source: identity.url, options: { ...options, name: d.name } };
  if (identity.kind === 'synthetic') {
    return { load: true, source: synthetic.iot(identity.options as unknown as IotOptions), options: { ...options, name: d.name } };
  }
  if (!file) {
    throw new FabricError('no-dataset', `resume: checkpoint "${checkpoint.name}" ran on the file ${describeFile(identity)}; give that file again: fabric.resume(id, { file })`);
  }
  const offered = await fileIdentity(file, identity.name);
  if (offered.sha256 !== identity.sha256 || offered.size !== identity.size) {
    throw new FabricError('dataset-mismatch', `resume: the file offered, ${describeFile({ ...offered, name: file instanceof File ? file.name : 'blob' })}, is not the file checkpoint "${checkpoint.name}" ran on, ${describeFile(identity)}; choose that file, or discard the checkpoint`);
  }
  return { load: true, source: file, options: { ...options, name: identity.name } };
}

/** Throws `dataset-mismatch` unless the loaded dataset is the checkpoint's (same content id). */
export function checkLoaded(checkpoint: Checkpoint, loaded: DatasetInfo | undefined): void {
  const d = checkpoint.dataset;
  if (!d || loaded?.id === d.id) return;
  throw new FabricError('dataset-mismatch', `resume: checkpoint "${checkpoint.name}" ran on ${d.name} (dataset id ${d.id}), but what loaded is ${loaded ? `${loaded.name} (dataset id ${loaded.id})` : 'nothing'}; its content differs, so the job cannot continue exactly. Discard the checkpoint or load the original data`);
}
