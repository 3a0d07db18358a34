import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tableToIPC, Table, vectorFromArray, Float64, Utf8 } from 'apache-arrow';
// Resolves to parquet-wasm's Node build, which needs no initialisation.
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { loadBytes } from '../../data/load';
import { PARQUET_BATCH_ROWS } from '../../data/read-table';
import { iotTruth, syntheticIot } from '../../data/synthetic-iot';
import { seededRandom } from '../../kernels/random';
import { defineGroupTask } from '../../ml/group-tasks';
import { logisticRegression, ols, ridge, softmaxRegression } from '../../ml/models';
import type { DatasetInfo } from '../../protocol/dataset';
import { inMemory, type ChaosData } from '../../testing/chaos/data';
import { InProcessNode } from '../../testing/in-process-node';
import { columnSpread, flightsDistanceHour, gaussSolve, groupNormalEquations } from '../../testing/ols-reference';
import { shuffleIntoBatches } from '../group-batches';
import type { GroupApplyOptions, GroupFitOptions } from '../group-by';
import { Scheduler } from '../scheduler';
import { planApplyJob, planFitJob, runGroupJob } from './fit-groups';
import type { GroupResults } from './group-results';

const FLIGHTS_PATH = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));

type Loaded = ChaosData;

async function load(bytes: Uint8Array, name: string, partitionRows: number): Promise<Loaded> {
  return inMemory(await loadBytes(bytes, name, (b) => readParquet(b, { batchSize: PARQUET_BATCH_ROWS }).intoIPCStream(), { partitionRows }));
}

let flights: Promise<Loaded> | undefined;
function loadFlights(): Promise<Loaded> {
  flights ??= load(new Uint8Array(readFileSync(FLIGHTS_PATH)), 'flights-3m.parquet', 100_000);
  return flights;
}

type Job = { fit: GroupFitOptions } | { apply: string; options?: GroupApplyOptions };

/** Runs a group job on in-process nodes; `lose` closes node 0 once that many tasks have committed. */
async function run(d: Loaded, key: string, job: Job, nodes = [2, 2], lose?: number): Promise<GroupResults> {
  const scheduler = new Scheduler({ localityWaitMs: 0 });
  const live = nodes.map((slots, i) => new InProcessNode(`n${i}`, slots, d.store));
  live.forEach((n) => scheduler.addNode(n));
  if (lose !== undefined) {
    let committed = 0;
    scheduler.onEvent((e) => {
      if (e.type === 'task-committed' && ++committed === lose) live[0]!.close('closed by the test');
    });
  }
  const plan = 'fit' in job ? planFitJob(d.info, key, job.fit) : planApplyJob(d.info, key, job.apply, job.options ?? {});
  const options = 'fit' in job ? job.fit : job.options ?? {};
  return runGroupJob(scheduler, d.artifacts, async (_, r) => shuffleIntoBatches(d.tables, r), d.info, plan, options);
}

describe('fitGroups on flights-3m', () => {
  it('per-origin OLS of delay on distance and hour matches an independent float64 closed form for all 229 origins', async () => {
    const d = await loadFlights();
    const results = await run(d, 'origin', { fit: { target: 'delay', features: ['distance', 'hour(date)'], model: ols() } });
    expect(results.rows).toHaveLength(229);
    expect(results.coefficientNames).toEqual(['distance', 'hour(date)', 'intercept']);
    expect(results.rows.map((r) => r.key)).toEqual([...results.rows.map((r) => r.key)].sort());
    expect(new Set(results.rows.map((r) => r.key)).size).toBe(229);
    expect(results.tasks).toBeLessThan(229); // small origins were packed together

    // The reference: normal equations accumulated in float64 over float32-rounded features, solved apart.
    const acc = groupNormalEquations(d.tables, 'origin', 'delay', flightsDistanceHour);
    let compared = 0;
    let singular = 0;
    let worst = 0;
    for (const row of results.rows) {
      const a = acc.get(row.key)!;
      expect(row.rows).toBe(a.n);
      if (a.n <= 3) {
        expect(row.status).toBe('too-few-rows');
        continue;
      }
      if (row.status === 'singular') {
        // Only where the reference is singular too: one distance (or one hour) for every flight of the origin.
        expect(Math.min(columnSpread(a, 0), columnSpread(a, 1)), `${row.key} singular: ${row.message}`).toBeLessThan(1e-9 * a.xtx[0]![0]! / a.n);
        singular++;
        continue;
      }
      expect(row.status, `${row.key}: ${row.message}`).toBe('ok');
      const want = gaussSolve(a.xtx, a.xty);
      row.coefficients.forEach((c, j) => {
        const rel = Math.abs(c! - want[j]!) / Math.abs(want[j]!);
        worst = Math.max(worst, rel);
        expect(rel, `${row.key} ${results.coefficientNames[j]}: ${c} vs ${want[j]}`).toBeLessThan(1e-6);
      });
      compared++;
    }
    const few = results.rows.filter((r) => r.status === 'too-few-rows').length;
    console.info(`per-origin OLS: ${compared} origins match (worst relative error ${worst.toExponential(2)}), ${singular} singular as in the reference, ${few} with too few rows; ${results.tasks} tasks`);
    expect(compared + singular + few).toBe(229);
    expect(compared).toBeGreaterThan(150);

    // Ridge has a solution for every origin with at least 3 rows: (XᵀX + n·l2·diag(1, 1, 0)) β = Xᵀy.
    const l2 = 1e-3;
    const ridged = await run(d, 'origin', { fit: { target: 'delay', features: ['distance', 'hour(date)'], model: ridge({ l2 }) } });
    let ridgeWorst = 0;
    for (const row of ridged.rows) {
      const a = acc.get(row.key)!;
      if (a.n < 3) {
        expect(row.status).toBe('too-few-rows');
        continue;
      }
      expect(row.status, `${row.key}: ${row.message}`).toBe('ok');
      const want = gaussSolve(a.xtx.map((r, j) => r.map((v, k) => (j === k && j < 2 ? v + a.n * l2 : v))), a.xty);
      row.coefficients.forEach((c, j) => {
        // A constant column's ridge coefficient is 0 but for rounding (~1e-11): no relative test is possible there.
        if (Math.abs(want[j]!) < 1e-8 && Math.abs(c!) < 1e-8) return;
        const rel = Math.abs(c! - want[j]!) / Math.abs(want[j]!);
        ridgeWorst = Math.max(ridgeWorst, rel);
        expect(rel, `ridge ${row.key} ${ridged.coefficientNames[j]}: ${c} vs ${want[j]}`).toBeLessThan(1e-6);
      });
    }
    console.info(`per-origin ridge: 228 origins match, worst relative error ${ridgeWorst.toExponential(2)}`);
  }, 120_000);

  it('gives the same table when a node is lost mid-job, with each origin once', async () => {
    const d = await loadFlights();
    const fit: GroupFitOptions = { target: 'delay', features: ['distance', 'hour(date)'], model: ridge({ l2: 1e-4 }) };
    const clean = await run(d, 'origin', { fit }, [2, 2]);
    const lossy = await run(d, 'origin', { fit }, [2, 2], 3);
    const strip = (r: GroupResults): unknown => r.rows.map((g) => ({ ...g, fitMs: 0, node: '' }));
    expect(strip(lossy)).toEqual(strip(clean));
    expect(lossy.groupsByNode.n1).toBeGreaterThan(0);
    expect(Object.values(lossy.groupsByNode).reduce((a, b) => a + b, 0)).toBe(229);
  }, 120_000);

  it('fails a group over the memory budget by name, and fits the others', async () => {
    const d = await loadFlights();
    const results = await run(d, 'origin', { fit: { target: 'delay', features: ['distance'], model: ols(), budgetBytes: 4 * 2 ** 20 } });
    const big = results.rows.filter((r) => r.status === 'group-too-large');
    expect(big.map((r) => r.key)).toContain('ORD');
    for (const r of big) {
      expect(r.message).toMatch(new RegExp(`group "${r.key}" has [\\d,]+ rows, about [\\d.]+ MiB on a slot, over the memory budget of 4\\.0 MiB`));
      expect(r.rows).toBeGreaterThan(4 * 2 ** 20 / 100);
    }
    expect(results.rows.filter((r) => r.status === 'ok').length).toBeGreaterThan(150);
  }, 120_000);

  it('runs a developer\'s group task by name on every group', async () => {
    const d = await loadFlights();
    const results = await run(d, 'origin', { apply: 'delay-quantiles-test', options: { columns: ['delay'] } });
    expect(results.valueNames).toEqual(['flights', 'mean']);
    const ord = results.rows.find((r) => r.key === 'ORD')!;
    expect(ord.values.flights).toBe(ord.rows);
    expect(results.rows.reduce((s, r) => s + (r.values.flights as number), 0)).toBe(3_000_000);
  }, 120_000);
});

defineGroupTask('delay-quantiles-test', (rows) => {
  const delay = rows.getChild('delay')!;
  let sum = 0;
  for (let i = 0; i < rows.numRows; i++) sum += Number(delay.get(i));
  return { flights: rows.numRows, mean: sum / rows.numRows };
});
defineGroupTask('throws-on-b', (_rows, ctx) => {
  if (ctx.key === 'b') throw new Error('no b allowed');
  return { ok: 1 };
});

async function fromTable(table: Table, partitionRows = 500): Promise<Loaded> {
  return load(tableToIPC(table, 'stream'), 'groups.arrow', partitionRows);
}

describe('fitGroups on the synthetic IoT set', () => {
  it('recovers each device\'s hidden coefficients within the noise', async () => {
    const options = { devices: 300, rowsPerDevice: 400, random: seededRandom(11), sizeSpread: 0.5 };
    const { table, truth } = syntheticIot(options);
    expect(iotTruth({ ...options, random: seededRandom(11) })).toEqual(truth);
    const d = await fromTable(table, 20_000);
    const results = await run(d, 'device', { fit: { target: 'y', features: ['x1', 'x2', 'x3'], model: ols() } });
    expect(results.rows).toHaveLength(300);
    expect(results.tasks).toBeLessThan(300);
    let within = 0;
    for (const [g, row] of results.rows.entries()) {
      const t = truth[g]!;
      expect(row.key).toBe(t.device);
      if (t.rows <= 4) {
        expect(row.status).toBe('too-few-rows');
        continue;
      }
      expect(row.status).toBe('ok');
      // Standard error of each coefficient is about noise / sqrt(rows); allow 5 of them.
      const tol = (5 * 0.5) / Math.sqrt(t.rows - 4);
      const want = [...t.coefficients, t.intercept];
      if (row.coefficients.every((c, j) => Math.abs(c! - want[j]!) < tol)) within++;
    }
    expect(within).toBeGreaterThan(results.rows.filter((r) => r.status === 'ok').length * 0.99);
  }, 60_000);
});

describe('fitGroups statuses', () => {
  /** Groups built to hit each status. */
  function cases(): Table {
    const keys: string[] = [];
    const x: number[] = [];
    const y: number[] = [];
    const add = (key: string, rows: [number, number][]): void => rows.forEach(([xi, yi]) => { keys.push(key); x.push(xi); y.push(yi); });
    const r = seededRandom(3);
    add('ok', Array.from({ length: 50 }, (_, i) => [i, 2 * i + 1 + r() - 0.5] as [number, number]));
    add('tiny', [[1, 2], [2, 3]]); // 2 rows for 2 coefficients
    add('flat', Array.from({ length: 20 }, () => [5, r()] as [number, number])); // x constant: collinear with the intercept
    add('nan', [[1, 1], [2, NaN], [3, 3], [4, 4], [5, 5]]);
    return new Table({ g: vectorFromArray(keys, new Utf8()), x: vectorFromArray(x, new Float64()), y: vectorFromArray(y, new Float64()) });
  }

  it('marks ok, too-few-rows, singular and non-finite, with messages that say what to do', async () => {
    const d = await fromTable(cases());
    const res = await run(d, 'g', { fit: { target: 'y', features: ['x'], model: ols() } }, [1]);
    const by = Object.fromEntries(res.rows.map((r) => [r.key, r]));
    expect(by.ok!.status).toBe('ok');
    expect(by.ok!.coefficients[0]).toBeCloseTo(2, 1);
    expect(by.tiny!.status).toBe('too-few-rows');
    expect(by.tiny!.message).toMatch(/2 rows for 2 coefficients; it needs at least 3/);
    expect(by.flat!.status).toBe('singular');
    expect(by.flat!.message).toMatch(/column "intercept" is \(nearly\) a linear combination.*ridge.*A feature is constant in this group/);
    expect(by.nan!.status).toBe('non-finite');
    expect(by.nan!.message).toMatch(/column "y" has NaN or null values/);
    expect(by.nan!.coefficients).toEqual([null, null]);
    // Ridge fixes the singular group; dropping fixes the NaN one.
    const fixed = await run(d, 'g', { fit: { target: 'y', features: ['x'], model: ridge({ l2: 0.1 }), missing: 'drop' } }, [1]);
    const byFixed = Object.fromEntries(fixed.rows.map((r) => [r.key, r]));
    expect(byFixed.flat!.status).toBe('ok');
    expect(byFixed.nan!.status).toBe('ok');
    expect(byFixed.nan!.rows).toBe(4);
    expect(byFixed.nan!.message).toMatch(/1 row with missing values dropped/);
  });

  it('marks one-class and separable logistic groups', async () => {
    const keys: string[] = [];
    const x: number[] = [];
    const y: number[] = [];
    const r = seededRandom(5);
    for (let i = 0; i < 200; i++) { keys.push('mixed'); const xi = r() * 4 - 2; x.push(xi); y.push(r() < 1 / (1 + Math.exp(-2 * xi)) ? 1 : 0); }
    for (let i = 0; i < 30; i++) { keys.push('same'); x.push(i); y.push(0); }
    for (let i = 0; i < 30; i++) { keys.push('split'); x.push(i); y.push(i < 15 ? 0 : 1); }
    const d = await fromTable(new Table({ g: vectorFromArray(keys, new Utf8()), x: vectorFromArray(x, new Float64()), y: vectorFromArray(y, new Float64()) }));
    const res = await run(d, 'g', { fit: { target: { column: 'y', threshold: 0.5 }, features: ['x'], model: logisticRegression() } }, [1]);
    const by = Object.fromEntries(res.rows.map((r) => [r.key, r]));
    expect(res.metricNames).toEqual(['logLoss', 'auc']);
    expect(by.mixed!.status).toBe('ok');
    expect(by.mixed!.coefficients[0]).toBeGreaterThan(1);
    expect(by.mixed!.metrics.auc).toBeGreaterThan(0.7);
    expect(by.same!.status).toBe('one-class');
    expect(by.split!.status).toBe('separable');
  });

  it('records a group task that throws as failed, and finishes the other groups', async () => {
    const d = await fromTable(cases());
    const res = await run(d, 'g', { apply: 'throws-on-b', options: { columns: ['x'] } }, [1]);
    expect(res.rows.every((r) => r.status === 'ok')).toBe(true);
    const t = new Table({ g: vectorFromArray(['a', 'b', 'c'], new Utf8()), x: vectorFromArray([1, 2, 3], new Float64()) });
    const res2 = await run(await fromTable(t), 'g', { apply: 'throws-on-b' }, [1]);
    expect(res2.rows.map((r) => r.status)).toEqual(['ok', 'failed', 'ok']);
    expect(res2.rows[1]!.message).toMatch(/throws-on-b threw: no b allowed/);
  });

  it('refuses bad options with errors that name them', async () => {
    const d = await fromTable(cases());
    const plan = (key: string, fit: Partial<GroupFitOptions>): unknown => planFitJob(d.info, key, { target: 'y', features: ['x'], model: ols(), ...fit } as GroupFitOptions);
    expect(() => plan('nope', {})).toThrow(/key "nope" is not a column/);
    expect(() => plan('g', { target: 'zz' })).toThrow(/target "zz" is not a column/);
    expect(() => plan('g', { target: 'g' })).toThrow(/target "g" is Utf8; per group the target must be numeric/);
    expect(() => plan('g', { features: ['g'] })).toThrow(/key "g" is constant within each group/);
    expect(() => plan('g', { model: logisticRegression() })).toThrow(/needs a 0\/1 target/);
    expect(() => plan('g', { model: softmaxRegression() })).toThrow(/softmax is not fitted per group/);
    expect(() => plan('g', { model: ridge({ l2: -1 }) })).toThrow(/l2 must be a finite number ≥ 0/);
    expect(() => planApplyJob(d.info, 'g', 'x', { columns: ['nope'] })).toThrow(/column "nope" is not in/);
    await expect(run(d, 'g', { apply: 'never-defined' }, [1])).rejects.toThrow(/group task "never-defined" is not defined/);
  });
});

describe('repeated jobs', () => {
  it('runs the same job twice on the same slots, which evicted the first run\'s batches meanwhile', async () => {
    const { table } = syntheticIot({ devices: 2000, rowsPerDevice: 30, random: seededRandom(4) });
    const d = await fromTable(table, 20_000);
    const scheduler = new Scheduler({ localityWaitMs: 0 });
    scheduler.addNode(new InProcessNode('n0', 2, d.store));
    const plan = planFitJob(d.info, 'device', { target: 'y', features: ['x1'], model: ols() });
    const shuffle = async (_: DatasetInfo, r: Parameters<typeof shuffleIntoBatches>[1]) => shuffleIntoBatches(d.tables, r);
    const first = await runGroupJob(scheduler, d.artifacts, shuffle, d.info, plan, { packing: { targetRowsPerTask: 2000 } });
    // Identical batches have identical artifact ids; the slots kept only their newest 8.
    const second = await runGroupJob(scheduler, d.artifacts, shuffle, d.info, plan, { packing: { targetRowsPerTask: 2000 } });
    expect(first.tasks).toBeGreaterThan(8);
    expect(second.rows.map((r) => r.coefficients)).toEqual(first.rows.map((r) => r.coefficients));
  }, 60_000);
});

describe('packing', () => {
  it('packs 10,000 tiny groups into a few tasks', async () => {
    const { table } = syntheticIot({ devices: 10_000, rowsPerDevice: 20, random: seededRandom(2) });
    const d = await fromTable(table, 50_000);
    const res = await run(d, 'device', { fit: { target: 'y', features: ['x1', 'x2', 'x3'], model: ols() } }, [2]);
    expect(res.rows).toHaveLength(10_000);
    expect(res.tasks).toBeLessThanOrEqual(20);
    expect(res.tasks).toBeGreaterThanOrEqual(8); // at least 4 per slot
    expect(res.rows.filter((r) => r.status === 'ok')).toHaveLength(10_000);
  }, 60_000);
});
