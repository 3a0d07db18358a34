/**
 * The per-row part of the GLM program in WGSL: the link functions and the `residual` entry
 * point, which turns each row's linear predictor into its residual d(loss)/dz and its loss. It
 * is the f32 twin of `residualsInPlace` in glm-cpu.ts, with the same stable forms:
 *
 * - linear: residual z - y, loss (z - y)^2 / 2;
 * - logistic: residual sigmoid(z) - y, loss softplus(z) - y z, where each branch of sigmoid and
 *   softplus only ever exponentiates a non-positive number, so nothing overflows;
 * - softmax: z per class is stored in `resid` first, then max-subtracted probabilities; loss is
 *   log Σ exp(z_k - max) + max - z_y.
 *
 * Spliced into glm-gradient.wgsl.ts's shader, whose bindings (`shape`, `labels`, `resid`) and
 * `row_z` it uses.
 */
import type { GlmKind } from './design';

/** Per-kind body of `residual`, for row `r` (< rows). */
const RESIDUAL_BODY: Record<GlmKind, string> = {
  linear: /* wgsl */ `
  let d = row_z(0u, r) - labels[r];
  resid[r] = d;
  resid[rows + r] = 0.5 * d * d;`,
  logistic: /* wgsl */ `
  let z = row_z(0u, r);
  let y = labels[r];
  resid[r] = sigmoid(z) - y;
  resid[rows + r] = softplus(z) - y * z;`,
  softmax: /* wgsl */ `
  let classes = shape.outputs;
  var mx = -3.0e38;
  for (var k = 0u; k < classes; k++) { let z = row_z(k, r); resid[k * rows + r] = z; mx = max(mx, z); }
  var s = 0.0;
  for (var k = 0u; k < classes; k++) { s += exp(resid[k * rows + r] - mx); }
  let y = u32(labels[r]);
  var zy = 0.0;
  for (var k = 0u; k < classes; k++) {
    let z = resid[k * rows + r];
    if (k == y) { zy = z; }
    resid[k * rows + r] = exp(z - mx) / s - select(0.0, 1.0, k == y);
  }
  resid[classes * rows + r] = log(s) + mx - zy;`,
};

/**
 * z = xβ of row `r` for output `k` over the bindings `shape` (rows, dim, dense_cols,
 * onehot_features), `dense`, `codes` and `weights`: the intercept, the dense columns, then one
 * parameter per one-hot feature. Shared by the gradient and the scoring (GEMV) programs.
 */
export const ROW_Z_WGSL = /* wgsl */ `
fn row_z(k: u32, r: u32) -> f32 {
  let base = k * shape.dim;
  var z = weights[base + shape.dim - 1u];
  for (var c = 0u; c < shape.dense_cols; c++) { z += weights[base + c] * dense[c * shape.rows + r]; }
  for (var f = 0u; f < shape.onehot_features; f++) {
    let j = codes[f * shape.rows + r];
    if (j >= 0) { z += weights[base + u32(j)]; }
  }
  return z;
}
`;

/** 1 / (1 + e^-z), exponentiating only non-positive numbers so neither branch overflows. */
export const SIGMOID_WGSL = /* wgsl */ `
fn sigmoid(z: f32) -> f32 {
  if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
  let e = exp(z);
  return e / (1.0 + e);
}
`;

/** WGSL of the link functions and the `residual` entry point for `kind`. */
export function glmResidualWgsl(kind: GlmKind): string {
  return /* wgsl */ `${SIGMOID_WGSL}

// log(1 + x), accurate for small x (WGSL has no log1p): Goldberg's correction of log(u), u = 1 + x.
fn log1p_f(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * (x / (u - 1.0));
}

fn softplus(z: f32) -> f32 {
  if (z > 0.0) { return z + log1p_f(exp(-z)); }
  return log1p_f(exp(z));
}

// One invocation per row: the row's residual(s) into resid[k * rows + r], its loss after them.
@compute @workgroup_size(WG)
fn residual(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  let rows = shape.rows;
  if (r >= rows) { return; }${RESIDUAL_BODY[kind]}
}
`;
}
