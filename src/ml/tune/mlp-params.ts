/**
 * The parameters of the built-in `mlp` objective, read from a resolved point of a search space.
 * Nested objects (from `hp.choice` over dicts, e.g. `arch: { layers: 2, dropout: 0.3 }`) are
 * flattened first, so a parameter may sit at any depth; absent ones take these defaults.
 */
import { FabricError } from '../../protocol/errors';

/** An MLP trial's settings. */
export interface MlpTrialParams {
  /** Hidden layers (1). */
  readonly layers: number;
  /** Units per hidden layer (32). */
  readonly units: number;
  /** Adam's learning rate (1e-3). */
  readonly lr: number;
  /** Rows per mini-batch (256). */
  readonly batchSize: number;
  /** L2 penalty on the kernels (0). */
  readonly l2: number;
  /** Dropout after each hidden layer (0). */
  readonly dropout: number;
  /** Passes over the training rows (1). */
  readonly epochs: number;
  readonly activation: 'relu' | 'tanh' | 'sigmoid';
}

/** Flattens nested parameter objects: `{ arch: { layers: 2 } }` → `{ layers: 2 }` (inner keys win). */
export function flattenParams(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenParams(v as Record<string, unknown>));
    else out[k] = v;
  }
  return out;
}

function num(p: Record<string, unknown>, name: string, fallback: number, min: number, max: number, integer: boolean): number {
  const v = p[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FabricError('bad-input', `mlp objective: ${name} must be a number, got ${JSON.stringify(v)}`);
  const x = integer ? Math.round(v) : v;
  if (x < min || x > max) throw new FabricError('bad-input', `mlp objective: ${name} must be from ${min} to ${max}, got ${v}`);
  return x;
}

/** Reads an MLP trial's settings; throws `bad-input` naming a parameter out of range. */
export function mlpTrialParams(params: Readonly<Record<string, unknown>>): MlpTrialParams {
  const p = flattenParams(params);
  const activation = p.activation ?? 'relu';
  if (activation !== 'relu' && activation !== 'tanh' && activation !== 'sigmoid') {
    throw new FabricError('bad-input', `mlp objective: activation must be relu, tanh or sigmoid, got ${JSON.stringify(activation)}`);
  }
  return {
    layers: num(p, 'layers', 1, 1, 8, true),
    units: num(p, 'units', 32, 1, 4096, true),
    lr: num(p, 'lr', 1e-3, 1e-7, 10, false),
    batchSize: num(p, 'batchSize', 256, 1, 1_000_000, true),
    l2: num(p, 'l2', 0, 0, 100, false),
    dropout: num(p, 'dropout', 0, 0, 0.95, false),
    epochs: num(p, 'epochs', 1, 1, 1000, true),
    activation,
  };
}
