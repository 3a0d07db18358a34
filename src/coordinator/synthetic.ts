/**
 * Generated datasets, loadable like a file: `fabric.load(synthetic.iot({ devices: 1000, rowsPerDevice: 2000, seed: 7 }))`.
 * The loader worker generates the rows; `truth()` gives each device's hidden model from the same
 * seed without generating any rows, so fitted coefficients can be checked against it.
 */
import { iotTruth, type DeviceTruth } from '../data/synthetic-iot';
import { seededRandom } from '../kernels/random';
import { FabricError } from '../protocol/errors';

/** Options of {@link synthetic.iot}. */
export interface IotOptions {
  readonly devices: number;
  readonly rowsPerDevice: number;
  readonly seed: number;
  /** Sensor inputs per device (3). */
  readonly sensors?: number;
  /** Noise standard deviation (0.5). */
  readonly noise?: number;
  /** Log-normal spread of device sizes (0: all equal). */
  readonly sizeSpread?: number;
}

/** A generated dataset to pass to `fabric.load`. */
export interface SyntheticSource {
  readonly synthetic: 'iot';
  readonly options: IotOptions;
  /** Each device's hidden intercept and coefficients, by device key. */
  truth(): DeviceTruth[];
}

/** True when `v` is a {@link SyntheticSource}. */
export function isSyntheticSource(v: unknown): v is SyntheticSource {
  return typeof v === 'object' && v !== null && (v as { synthetic?: unknown }).synthetic === 'iot';
}

/** The generated datasets. */
export const synthetic = {
  /** The talk's IoT case: D devices, each with its own hidden linear sensor model plus noise. */
  iot(options: IotOptions): SyntheticSource {
    if (!options || !Number.isInteger(options.seed)) {
      throw new FabricError('bad-input', `synthetic.iot: options.seed must be a whole number, e.g. synthetic.iot({ devices: 1000, rowsPerDevice: 2000, seed: 7 }); got ${JSON.stringify(options)}`);
    }
    const opts = { ...options };
    const source: SyntheticSource = {
      synthetic: 'iot',
      options: opts,
      truth: () => iotTruth({ ...opts, random: seededRandom(opts.seed) }),
    };
    source.truth(); // checks the options now, at the call
    return source;
  },
};
