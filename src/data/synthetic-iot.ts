/**
 * The talk's IoT case as a built-in dataset: D devices, each with its own hidden linear sensor
 * model, `y = intercept + Σ coefficients·x + noise`. Fitting one model per device (fitGroups)
 * should recover each device's hidden model, which `truth` holds for checking.
 *
 * Randomness comes in as a uniform generator instead of a seed: Fabric's one seeded generator is
 * `seededRandom` in src/kernels/random.ts, which src/data may not import. The public
 * `synthetic.iot({ devices, rowsPerDevice, seed })` passes `random: seededRandom(seed)`, so one
 * seed gives one table, and no second generator exists. Draws happen in a fixed order (each
 * device's model in device order, then each row's sensors and noise in row order), so the same
 * stream always gives the same table.
 */
import { Float64, makeData, makeVector, Table, TimestampMillisecond, Utf8, type Vector } from 'apache-arrow';
import { FabricError } from '../protocol/errors';

/** Options of {@link syntheticIot}. */
export interface SyntheticIotOptions {
  /** Number of devices (groups). */
  readonly devices: number;
  /** Readings per device: exact when `sizeSpread` is 0, else the median. */
  readonly rowsPerDevice: number;
  /** A uniform generator on [0, 1), e.g. `seededRandom(seed)` from src/kernels/random.ts. */
  readonly random: () => number;
  /** Sensor inputs per device, columns `x1`..`xk`. Default 3. */
  readonly sensors?: number | undefined;
  /** Standard deviation of the Gaussian noise on `y`. Default {@link DEFAULT_IOT_NOISE}. */
  readonly noise?: number | undefined;
  /**
   * Spread of device sizes: each device's row count is `rowsPerDevice · exp(sizeSpread · z)` with
   * z standard normal (log-normal, at least 1 row). 0, the default, gives every device the same
   * count; 1 puts 95% of devices between a seventh and seven times the median, and a few beyond,
   * a spread like that of flights-3m's origins.
   */
  readonly sizeSpread?: number | undefined;
}

/** A device's hidden model. */
export interface DeviceTruth {
  readonly device: string;
  readonly intercept: number;
  /** One per sensor, for `x1`..`xk`. */
  readonly coefficients: number[];
  /** Readings generated for this device. */
  readonly rows: number;
}

/**
 * Default noise. With x standard normal and coefficients uniform on [-2, 2] (mean square 4/3),
 * three sensors give a signal variance of about 4, so 0.5 (variance 0.25) leaves R² near 0.94, and
 * 2,000 rows pin each coefficient to about ±0.01 (0.5 / √2000).
 */
export const DEFAULT_IOT_NOISE = 0.5;
/** Default sensors per device: the talk's example has a handful of inputs. */
export const DEFAULT_IOT_SENSORS = 3;
/** Rows one call may make: 50M rows of 3 sensors are about 2.5 GB, past what a tab can hold. */
export const MAX_IOT_ROWS = 50_000_000;
/** First reading: 2024-01-01T00:00:00Z. Devices read once a minute from then on. */
const START_MS = Date.UTC(2024, 0, 1);
const READING_MS = 60_000;
const TWO_32 = 4294967296;

function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new FabricError('bad-input', `syntheticIot: options.${what}, got ${String(value)}`);
}

/** Standard normal draws by Marsaglia's polar method, using both values of each pair. */
function normalSource(random: () => number): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return z;
    }
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * random() - 1;
      v = 2 * random() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    spare = v * f;
    return u * f;
  };
}

/** Checks the options and draws every device's hidden model: the first draws of the stream. */
function drawDevices(options: SyntheticIotOptions, normal: () => number): DeviceTruth[] {
  const { devices, rowsPerDevice, random } = options;
  const sensors = options.sensors ?? DEFAULT_IOT_SENSORS;
  const noise = options.noise ?? DEFAULT_IOT_NOISE;
  const spread = options.sizeSpread ?? 0;
  check(Number.isInteger(devices) && devices >= 1, 'devices must be a whole number of at least 1', devices);
  check(Number.isInteger(rowsPerDevice) && rowsPerDevice >= 1, 'rowsPerDevice must be a whole number of at least 1', rowsPerDevice);
  check(Number.isInteger(sensors) && sensors >= 1 && sensors <= 100, 'sensors must be a whole number from 1 to 100', sensors);
  check(Number.isFinite(noise) && noise >= 0, 'noise must be a finite number of at least 0', noise);
  check(Number.isFinite(spread) && spread >= 0, 'sizeSpread must be a finite number of at least 0', spread);
  check(typeof random === 'function', 'random must be a function returning uniform numbers in [0, 1), such as seededRandom(seed)', random);
  const width = Math.max(5, String(devices).length);
  const truth: DeviceTruth[] = [];
  for (let d = 0; d < devices; d++) {
    const intercept = -10 + 20 * random();
    const coefficients = Array.from({ length: sensors }, () => -2 + 4 * random());
    const rows = spread === 0 ? rowsPerDevice : Math.max(1, Math.round(rowsPerDevice * Math.exp(spread * normal())));
    truth.push({ device: `dev-${String(d + 1).padStart(width, '0')}`, intercept, coefficients, rows });
  }
  const total = truth.reduce((s, t) => s + t.rows, 0);
  check(total <= MAX_IOT_ROWS, `devices × rowsPerDevice must stay within ${MAX_IOT_ROWS} rows; lower devices or rowsPerDevice`, `${total} rows`);
  return truth;
}

/**
 * Every device's hidden model, as {@link syntheticIot} with the same options and a generator in
 * the same state would draw it, without generating the readings.
 */
export function iotTruth(options: SyntheticIotOptions): DeviceTruth[] {
  return drawDevices(options, normalSource(options.random));
}

/**
 * Generates readings of `devices` devices: columns `device` (Utf8 `dev-00001`…), `time`
 * (timestamp, ms), `x1`..`xk` (float64, standard normal) and `y` (float64). Rows are in time
 * order, devices interleaved within each minute as a real feed would be, so grouping by device is
 * a real shuffle. Intercepts are uniform on [-10, 10] and coefficients on [-2, 2].
 */
export function syntheticIot(options: SyntheticIotOptions): { table: Table; truth: DeviceTruth[] } {
  const normal = normalSource(options.random);
  const truth = drawDevices(options, normal);
  const sensors = options.sensors ?? DEFAULT_IOT_SENSORS;
  const noise = options.noise ?? DEFAULT_IOT_NOISE;
  const width = Math.max(5, String(options.devices).length);
  const total = truth.reduce((s, t) => s + t.rows, 0);

  const nameBytes = new TextEncoder().encode(truth.map((t) => t.device).join(''));
  const nameLength = 4 + width;
  const deviceBytes = new Uint8Array(total * nameLength);
  const timeWords = new Int32Array(total * 2); // int64 milliseconds as two 32-bit words, no BigInt per row
  const xs = Array.from({ length: sensors }, () => new Float64Array(total));
  const y = new Float64Array(total);
  const intercepts = Float64Array.from(truth, (t) => t.intercept);
  const coefficients = Float64Array.from(truth.flatMap((t) => t.coefficients));
  let active = truth.map((_, d) => d);
  let fewest = truth.reduce((m, t) => Math.min(m, t.rows), Infinity);
  let row = 0;
  for (let reading = 0; active.length > 0; reading++) {
    const ms = START_MS + reading * READING_MS;
    const lo = ms % TWO_32;
    const hi = Math.floor(ms / TWO_32);
    for (const d of active) {
      for (let b = 0; b < nameLength; b++) deviceBytes[row * nameLength + b] = nameBytes[d * nameLength + b]!;
      timeWords[2 * row] = lo;
      timeWords[2 * row + 1] = hi;
      let v = intercepts[d]!;
      for (let k = 0; k < sensors; k++) {
        const x = normal();
        xs[k]![row] = x;
        v += coefficients[d * sensors + k]! * x;
      }
      y[row] = v + noise * normal();
      row++;
    }
    if (reading + 1 === fewest) {
      active = active.filter((d) => truth[d]!.rows > reading + 1);
      fewest = active.reduce((m, d) => Math.min(m, truth[d]!.rows), Infinity);
    }
  }

  const offsets = new Int32Array(total + 1);
  for (let i = 0; i <= total; i++) offsets[i] = i * nameLength;
  const columns: Record<string, Vector> = {
    device: makeVector(makeData({ type: new Utf8(), length: total, valueOffsets: offsets, data: deviceBytes })),
    time: makeVector(makeData({ type: new TimestampMillisecond(), length: total, data: new BigInt64Array(timeWords.buffer) })),
  };
  xs.forEach((x, k) => (columns[`x${k + 1}`] = makeVector(makeData({ type: new Float64(), length: total, data: x }))));
  columns.y = makeVector(makeData({ type: new Float64(), length: total, data: y }));
  return { table: new Table(columns), truth };
}
