/**
 * How two nodes' results of one task are compared in verification mode. Exact matching fails
 * across backends (webgpu sums in float32, wasm and cpu in float64, in different orders), so
 * numbers agree within a relative tolerance: scalars against their own size, vector entries
 * against the largest entry of the vector, so a small component's rounding does not count as a
 * lie while a vector scaled by 10, a NaN or a permuted table does. Fields that name where or how a
 * result was computed (kernel, engine, whether the model was loaded) are not compared.
 */
import type { TaskOutput } from './executor-node';
import type { Agreement } from './scheduler';

/** Result fields that legitimately differ between nodes. */
const WHERE_AND_HOW = new Set(['kernel', 'engine', 'loaded', 'loadMs', 'ms']);

/** The tolerance used unless a job says otherwise. */
export const DEFAULT_TOLERANCE = 1e-3;

function close(a: number, b: number, scale: number, tol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(scale, Number.MIN_VALUE);
}

function compareJson(a: unknown, b: unknown, path: string, tol: number): string | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    return close(a, b, Math.max(Math.abs(a), Math.abs(b), 1e-12), tol) ? undefined : `${path}: ${a} vs ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} vs ${b.length} entries`;
    for (let i = 0; i < a.length; i++) {
      const d = compareJson(a[i], b[i], `${path}[${i}]`, tol);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (WHERE_AND_HOW.has(k)) continue;
      const d = compareJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, tol);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

function f64(bytes: Uint8Array): Float64Array {
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function compareVector(a: Uint8Array, b: Uint8Array, index: number, tol: number): string | undefined {
  if (a.byteLength !== b.byteLength) return `binary ${index}: ${a.byteLength} vs ${b.byteLength} bytes`;
  if (a.byteLength % 8 !== 0) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `binary ${index}: byte ${i} differs`;
    return undefined;
  }
  const x = f64(a);
  const y = f64(b);
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!)) scale = Math.max(scale, Math.abs(x[i]!));
    if (Number.isFinite(y[i]!)) scale = Math.max(scale, Math.abs(y[i]!));
  }
  for (let i = 0; i < x.length; i++) {
    if (!close(x[i]!, y[i]!, scale, tol)) return `binary ${index}[${i}]: ${x[i]} vs ${y[i]}`;
  }
  return undefined;
}

/** Agreement of results and float64 binary outputs within a relative tolerance. */
export function numericAgreement(tol = DEFAULT_TOLERANCE): Agreement {
  return (a: TaskOutput, b: TaskOutput) => {
    const d = compareJson(a.result, b.result, '', tol);
    if (d) return d;
    if (a.binary.length !== b.binary.length) return `${a.binary.length} vs ${b.binary.length} binary outputs`;
    for (let i = 0; i < a.binary.length; i++) {
      const v = compareVector(a.binary[i]!, b.binary[i]!, i, tol);
      if (v) return v;
    }
    return undefined;
  };
}
