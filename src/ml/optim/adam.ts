/**
 * First-order steppers for mini-batch training: Adam (Kingma & Ba, with bias correction) and plain
 * SGD. They keep their state in float64 on the coordinator; every slot sees the same weights.
 */
import { FabricError } from '../../protocol/errors';

/** Adam's defaults from the paper, as tfjs and PyTorch use them. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * A stepper's state, for a checkpoint: Adam's moments and step count (SGD has none). Restoring it
 * continues the exact sequence of updates.
 */
export interface StepperState {
  readonly m?: Float64Array;
  readonly v?: Float64Array;
  readonly t?: number;
}

/** Updates `w` in place from the mean gradient `g`. */
export interface Stepper {
  step(w: Float64Array, g: Float64Array): void;
  /** A copy of the state. */
  state(): StepperState;
}

/** Adam with learning rate `lr`, fresh or continuing from `from`. */
export function adam(n: number, lr: number, from?: StepperState): Stepper {
  if (from && !(from.m?.length === n && from.v?.length === n && Number.isInteger(from.t))) {
    throw new FabricError('bad-input', `adam: the saved state does not hold moments of ${n} weights and a step count; resume from a checkpoint of the same model.`);
  }
  const m = from?.m ? from.m.slice() : new Float64Array(n);
  const v = from?.v ? from.v.slice() : new Float64Array(n);
  let t = from?.t ?? 0;
  return {
    state: () => ({ m: m.slice(), v: v.slice(), t }),
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
    state: () => ({}),
    step(w, g) {
      for (let i = 0; i < w.length; i++) w[i]! -= lr * g[i]!;
    },
  };
}
