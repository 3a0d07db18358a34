/**
 * First-order steppers for mini-batch training: Adam (Kingma & Ba, with bias correction) and plain
 * SGD. They keep their state in float64 on the coordinator; every slot sees the same weights.
 */

/** Adam's defaults from the paper, as tfjs and PyTorch use them. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** Updates `w` in place from the mean gradient `g`. */
export interface Stepper {
  step(w: Float64Array, g: Float64Array): void;
}

/** Adam with learning rate `lr`. */
export function adam(n: number, lr: number): Stepper {
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  let t = 0;
  return {
    step(w, g) {
      t += 1;
      const c1 = 1 - BETA1 ** t;
      const c2 = 1 - BETA2 ** t;
      for (let i = 0; i < n; i++) {
        m[i] = BETA1 * m[i]! + (1 - BETA1) * g[i]!;
        v[i] = BETA2 * v[i]! + (1 - BETA2) * g[i]! * g[i]!;
        w[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + EPSILON);
      }
    },
  };
}

/** Plain SGD with learning rate `lr`. */
export function sgd(lr: number): Stepper {
  return {
    step(w, g) {
      for (let i = 0; i < w.length; i++) w[i]! -= lr * g[i]!;
    },
  };
}
