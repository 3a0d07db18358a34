/**
 * `npm run bench:train [-- --rounds N] [--repeats N] [--rows N] [--tfjs-cap S] [--quick] [--out DIR]`: how fast
 * `fabric.train` trains, measured side by side in one run, in three parts:
 *
 * 1. Scaling: logistic regression on flights-3m with 1 and with 2 local slots, rows/s of the
 *    optimization phase, with CPU sampled: on the coordinator page (`/`), and on a coordinator
 *    without the dashboard (bench/train.html) to see what the dashboard costs. Four pages, trained
 *    in turn.
 * 2. Time to a fixed held-out loss against plain tfjs `model.fit` on the same rows, features and
 *    split, in one page and on the backend Fabric's slots chose.
 * 3. Roofline of the CPU gradient kernel against a naive loop and the memory copy bandwidth.
 *
 * Starts the Fabric server in process, drives headless Chromium, prints the table and writes it
 * with the details and findings to bench/results/train.md, its headline figures to train.json
 * (bench/train-metrics.ts). Every part runs on local slots, inside one coordinator page, and its
 * baselines in that same page: 1 slot against 2, and tfjs beside them. No volunteers take part.
 * `--quick` trains on the first 400,000 rows in the scaling part too. Not a test: nothing asserts a time.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser, CDPSession } from '@playwright/test';
import { coresBetween, cpuTicks, type CpuTicks } from './proc-cpu.ts';
import { codeState, inPage, launchChromium, machineInfo, openBenchPage, runBench, startFabricServer, type BenchPage } from './harness.ts';
import { resultsDir, writeBenchResults } from './metrics.ts';
import { trainMetrics } from './train-metrics.ts';
import { deriveFindings } from './train-findings.ts';
import type { RooflineOptions } from './train-kernels.ts';
import type { FabricRun, SlotInfo, TrainProgress, TrainSpec } from './train-page.ts';
import { optimizationPhase, renderTrainReport, summarizeTrain, type CpuWindow, type PageRuns, type ScalingRun, type TrainReportInfo, type TrainResults } from './train-report.ts';
import type { TfjsFitOptions, TfjsLoop } from './train-tfjs.ts';


/** The model of every part: the "delayed more than 15 minutes" preset with four features. */
const SPEC: TrainSpec = {
  kind: 'logistic',
  l2: 1e-3,
  maxIter: 15,
  target: { column: 'delay', threshold: 15 },
  features: ['distance', 'hour(date)', 'dayofweek(date)', 'onehot(origin)'],
};
/** The time-to-target part aims at Fabric's final held-out loss plus this. */
const TARGET_MARGIN = 0.002;
/** flights-3m's own partition size, so the subset is partitioned the same way. */
const PARTITION_ROWS = 100_000;
/**
 * tfjs settings: batch 1024 and Adam at 0.01 reached the target fastest of the settings tried here
 * (512/0.01, 1024/0.01, 4096/0.03). The held-out loss every 20 batches (20,480 rows, under 5% of
 * an epoch) places the moment the target is reached to about 0.1 s; its cost (about 5 ms per
 * evaluation of 120k rows) is excluded from tfjs's time anyway.
 */
const TFJS = { batchSize: 1024, learningRate: 0.01, evalEveryBatches: 20, maxEpochs: 1000 } as const;
/** 21 passes of 10-40 ms per kernel: a stable median in about 3 s on this machine. */
const ROOFLINE: RooflineOptions = { repeats: 21, warmups: 3, copyBytes: 32 * 1048576, copyRepeats: 30 };
/** Opening a coordinator page includes probing its slots and loading flights-3m (5-25 s here under load). */
const PAGE_TIMEOUT_MS = 180_000;
/** CPU sampling period during a training run (each sample is one DevTools round trip, well under 1 ms). */
const SAMPLE_MS = 100;

interface Flags {
  readonly rounds: number;
  readonly repeats: number;
  readonly rows: number;
  readonly tfjsCapS: number;
  /** Rows of the scaling part's subset; undefined: the whole of flights-3m. */
  readonly scalingRows: number | undefined;
  readonly quick: boolean;
  readonly out: string | undefined;
}

/**
 * --quick: one round and one repeat; 400,000 rows (4 partitions, 2 per slot) in the scaling part
 * instead of 3M, 100,000 for the time to target, a 5 s cap on tfjs (past it the ratio is a lower
 * bound; tfjs took about 6 s on 200,000 rows here beside other jobs), and 7 roofline passes.
 */
const QUICK = { rounds: '1', repeats: '1', rows: '100000', tfjsCap: '5', scalingRows: 400_000 } as const;
const QUICK_ROOFLINE: RooflineOptions = { repeats: 7, warmups: 1, copyBytes: 32 * 1048576, copyRepeats: 10 };

function readFlags(): Flags {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      repeats: { type: 'string' },
      rows: { type: 'string' },
      'tfjs-cap': { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log('usage: npm run bench:train -- [--rounds N (3)] [--repeats N (3)] [--rows N (600000)] [--tfjs-cap S (60)] [--quick (400,000 rows, 1 round; prints only unless --out)] [--out DIR (bench/results)]');
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      console.error(`bench:train: --${name} expects a whole number of at least ${min}, got "${raw}"`);
      process.exit(2);
    }
    return n;
  };
  const q = values.quick;
  return {
    rounds: int('rounds', values.rounds ?? (q ? QUICK.rounds : '3'), 1),
    repeats: int('repeats', values.repeats ?? (q ? QUICK.repeats : '3'), 1),
    rows: int('rows', values.rows ?? (q ? QUICK.rows : '600000'), 10_000),
    tfjsCapS: int('tfjs-cap', values['tfjs-cap'] ?? (q ? QUICK.tfjsCap : '60'), 1),
    scalingRows: q ? QUICK.scalingRows : undefined,
    quick: q,
    out: values.out,
  };
}

/** A coordinator page with the bench module added and a DevTools session for its CPU metrics. */
interface CoordinatorPage extends BenchPage {
  readonly cdp: CDPSession;
}

/**
 * Opens `path` (`/` or bench/train.html, with its query), adds the bench module, waits for the
 * dataset: flights-3m, or with `subsetRows` its first rows (the page then loads no dataset itself).
 */
async function openCoordinator(browser: Browser, origin: string, path: string, name: string, subsetRows?: number): Promise<CoordinatorPage> {
  const bp = await openBenchPage(browser, `${origin}${path}${subsetRows === undefined ? '' : '&dataset=none'}`, name, 'fabricReady', PAGE_TIMEOUT_MS);
  await bp.page.addScriptTag({ type: 'module', url: '/bench/train-page.ts' });
  await bp.page.waitForFunction(() => 'trainBench' in window, undefined, { timeout: PAGE_TIMEOUT_MS });
  // Resolves once the slots are up and, unless dataset=none, flights-3m is loaded.
  await inPage(bp, async () => {
    await window.fabricReady;
  }, undefined);
  if (subsetRows !== undefined) await inPage(bp, (a) => window.trainBench.loadSubset(a.rows, a.partitionRows), { rows: subsetRows, partitionRows: PARTITION_ROWS });
  const cdp = await bp.page.context().newCDPSession(bp.page);
  await cdp.send('Performance.enable');
  return { ...bp, cdp };
}

interface CpuSample {
  readonly progress: TrainProgress;
  readonly wallS: number;
  readonly processS: number;
  readonly threadS: number;
  readonly ticks: CpuTicks;
}

async function cpuSample(p: CoordinatorPage): Promise<CpuSample> {
  const [progress, { metrics }] = await Promise.all([
    p.page.evaluate(() => window.trainBench.progress()),
    p.cdp.send('Performance.getMetrics'),
  ]);
  const get = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { progress, wallS: get('Timestamp'), processS: get('ProcessTime'), threadS: get('ThreadTime'), ticks: cpuTicks() };
}

/** CPU between two samples of the same page. */
function cpuWindow(a: CpuSample, b: CpuSample): CpuWindow {
  const cores = coresBetween(a.ticks, b.ticks, os.cpus().length);
  return {
    wallS: b.wallS - a.wallS, processS: b.processS - a.processS, threadS: b.threadS - a.threadS,
    machineCores: cores.machine, benchCores: cores.tree, gpuCores: cores.gpu,
  };
}

/** One `train` call, with the renderer's CPU over its optimization phase. */
async function trainSampled(p: CoordinatorPage, spec: TrainSpec): Promise<ScalingRun> {
  let done = false;
  const running = inPage(p, (s) => window.trainBench.train(s), spec).finally(() => {
    done = true;
  });
  const samples: CpuSample[] = [];
  while (!done) {
    samples.push(await cpuSample(p));
    await Promise.race([new Promise((r) => setTimeout(r, SAMPLE_MS)), running.catch(() => undefined)]);
  }
  const run = await running;
  const lastIteration = run.history[run.history.length - 1]!.iteration;
  const a = samples.find((s) => s.progress.iteration >= 1);
  // Rates need only a window inside the phase: when no sample fell after the last iteration (the
  // call returned first), the window ends at the last sample taken during the phase.
  const b = samples.find((s) => s.progress.iteration === lastIteration) ?? samples.findLast((s) => a !== undefined && s.progress.iteration > a.progress.iteration);
  const cpu = a && b && b.wallS > a.wallS ? cpuWindow(a, b) : undefined;
  return { run, cpu };
}

function describeRun(label: string, sr: ScalingRun): string {
  const p = optimizationPhase(sr.run);
  const c = sr.cpu;
  const cpu = c
    ? `; cores busy: renderer ${(c.processS / c.wallS).toFixed(2)} (main thread ${(c.threadS / c.wallS).toFixed(2)}), GPU process ${c.gpuCores.toFixed(2)}, bench ${c.benchCores.toFixed(2)}, machine ${c.machineCores.toFixed(2)}`
    : '';
  return `${label.padEnd(30)} ${(p.rowsPerSecond / 1e6).toFixed(2).padStart(6)} M rows/s, ${p.msPerEvaluation.toFixed(0)} ms/evaluation, first pass ${(sr.run.history[0]!.ms / 1000).toFixed(1)} s${cpu}`;
}

/** The four pages of the scaling part, in the order they train in every round. */
const ALL_SCALING_PAGES = [
  { page: 'dashboard', slots: 1, path: '/?slots=1' },
  { page: 'dashboard', slots: 2, path: '/?slots=2' },
  { page: 'bare', slots: 1, path: '/bench/train.html?slots=1' },
  { page: 'bare', slots: 2, path: '/bench/train.html?slots=2' },
] as const;

/**
 * The scaling part. With `subsetRows` (--quick) only the coordinator pages run: the pages without
 * the dashboard are a diagnosis, and each page's slots cost seconds of CPU to start (backend probes).
 */
async function measureScaling(browser: Browser, origin: string, rounds: number, subsetRows: number | undefined): Promise<TrainResults['scaling']> {
  const SCALING_PAGES = subsetRows === undefined ? ALL_SCALING_PAGES : ALL_SCALING_PAGES.filter((c) => c.page === 'dashboard');
  const pages = await Promise.all(SCALING_PAGES.map((c) => openCoordinator(browser, origin, c.path, `${c.page} page (${c.slots} slot${c.slots > 1 ? 's' : ''})`, subsetRows)));
  const infos: SlotInfo[] = [];
  for (const [i, p] of pages.entries()) {
    const info = await inPage(p, () => window.trainBench.slotInfo(), undefined);
    if (info.slots !== SCALING_PAGES[i]!.slots) throw new Error(`${p.name}: expected ${SCALING_PAGES[i]!.slots} local slot(s), the page has ${info.slots}`);
    infos.push(info);
  }
  console.log(`slots: tfjs backend ${infos[1]!.backend}, model kernel ${infos[1]!.kernel} (${infos[1]!.kernelReason})`);
  const { partitions, rows } = await inPage(pages[0]!, async () => {
    const d = (await window.fabricReady)!.dataset;
    return { partitions: d?.partitions.length ?? 0, rows: d?.numRows ?? 0 };
  }, undefined);
  const label = (i: number, what: string): string => `${SCALING_PAGES[i]!.page}, ${SCALING_PAGES[i]!.slots} slot${SCALING_PAGES[i]!.slots > 1 ? 's' : ''}, ${what}`;
  const cold: ScalingRun[] = [];
  for (const [i, p] of pages.entries()) {
    cold.push(await trainSampled(p, SPEC));
    console.log(describeRun(label(i, 'cold'), cold[i]!));
  }
  const measured: ScalingRun[][] = pages.map(() => []);
  for (let round = 1; round <= rounds; round++) {
    for (const [i, p] of pages.entries()) {
      measured[i]!.push(await trainSampled(p, SPEC));
      console.log(describeRun(label(i, `round ${round}`), measured[i]!.at(-1)!));
    }
  }
  for (const p of pages) await p.page.context().close();
  const runsOf = (i: number): PageRuns => ({ slots: SCALING_PAGES[i]!.slots, cold: cold[i]!, rounds: measured[i]! });
  const bare = pages.length === 4 ? { one: runsOf(2), two: runsOf(3) } : undefined;
  return { partitions, rows, slots: infos[1]!, dashboard: { one: runsOf(0), two: runsOf(1) }, ...(bare ? { bare } : {}) };
}

async function measureAgainstTfjs(browser: Browser, origin: string, flags: Flags): Promise<Pick<TrainResults, 'toTarget' | 'roofline' | 'rooflineCpu'>> {
  const p = await openCoordinator(browser, origin, '/?slots=1&dataset=none', 'coordinator (subset)');
  const subset = await inPage(p, (a) => window.trainBench.loadSubset(a.rows, a.partitionRows), { rows: flags.rows, partitionRows: PARTITION_ROWS });
  console.log(`subset: ${subset.rows} rows in ${subset.partitions} partitions (prepared in ${(subset.prepareMs / 1000).toFixed(1)} s)`);
  const backend = (await inPage(p, () => window.trainBench.slotInfo(), undefined)).backend.split(/[ ,]/)[0]!;
  const one: FabricRun[] = [];
  const two: FabricRun[] = [];
  // Every run on a new local node, so each starts cold: partitions shipped, designs built.
  for (let i = 0; i < flags.repeats; i++) {
    if (i > 0) await inPage(p, () => window.trainBench.setLocalSlots(1), undefined);
    one.push(await inPage(p, (s) => window.trainBench.train(s), SPEC));
    await inPage(p, () => window.trainBench.setLocalSlots(2), undefined);
    two.push(await inPage(p, (s) => window.trainBench.train(s), SPEC));
    console.log(`fabric on the subset, run ${i + 1}: 1 slot ${one.at(-1)!.ms} ms, 2 slots ${two.at(-1)!.ms} ms (whole train calls)`);
  }
  const finalLoss = one[0]!.history[one[0]!.history.length - 1]!.holdoutLoss;
  const target = finalLoss + TARGET_MARGIN;
  const design = await inPage(p, () => window.trainBench.buildDesigns(), undefined);
  console.log(`target held-out loss ${target.toFixed(5)}; buildDesign: ${design.buildTrainMs.toFixed(0)} ms train side, ${design.buildHoldoutMs.toFixed(0)} ms held-out side`);
  const fit = (loop: TfjsLoop): Promise<TrainResults['toTarget']['tfjsFit']> => {
    const options: TfjsFitOptions = { loop, backend, ...TFJS, l2: SPEC.l2, targetLoss: target, timeCapMs: flags.tfjsCapS * 1000 };
    return inPage(p, (o) => window.trainBench.fitTfjs(o), options);
  };
  const tfjsFit = await fit('fit');
  console.log(`tfjs model.fit: ${tfjsFit.reachedMs === undefined ? `stopped by ${tfjsFit.stoppedBy}` : `${(tfjsFit.reachedMs / 1000).toFixed(2)} s`} (${tfjsFit.batches} batches, ${tfjsFit.threads} thread(s))`);
  const tfjsSlices = await fit('slices');
  console.log(`tfjs trainOnBatch slices: ${tfjsSlices.reachedMs === undefined ? `stopped by ${tfjsSlices.stoppedBy}` : `${(tfjsSlices.reachedMs / 1000).toFixed(2)} s`} (${tfjsSlices.batches} batches)`);
  const before = await cpuSample(p);
  const roofline = await inPage(p, (o) => window.trainBench.roofline(o), flags.quick ? QUICK_ROOFLINE : ROOFLINE);
  const after = await cpuSample(p);
  const rooflineCpu = cpuWindow(before, after);
  await p.page.context().close();
  return { toTarget: { subset, design, backend, target, finalLoss, one, two, tfjsFit, tfjsSlices }, roofline, rooflineCpu };
}

async function main(): Promise<void> {
  const flags = readFlags();
  const started = performance.now();
  const loadStart = os.loadavg();
  const code = codeState();
  const server = await startFabricServer();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    console.log(`1. scaling: 1 and 2 local slots on flights-3m${flags.scalingRows ? `, first ${flags.scalingRows} rows` : ''}`);
    const scaling = await measureScaling(browser, server.origin, flags.rounds, flags.scalingRows);
    console.log(`2. time to a held-out loss against tfjs, first ${flags.rows} rows; 3. kernel roofline`);
    const results: TrainResults = { scaling, ...(await measureAgainstTfjs(browser, server.origin, flags)) };
    const info: TrainReportInfo = {
      date: new Date().toISOString(),
      ...machineInfo(),
      chromium: browser.version(),
      ...code,
      loadStart,
      loadEnd: os.loadavg(),
      runSeconds: (performance.now() - started) / 1000,
      spec: SPEC,
      rounds: flags.rounds,
      targetMargin: TARGET_MARGIN,
      tfjs: { batchSize: TFJS.batchSize, learningRate: TFJS.learningRate, capS: flags.tfjsCapS, evalEveryBatches: TFJS.evalEveryBatches },
    };
    const report = renderTrainReport(results, info, deriveFindings(results, info));
    console.log(`\n${report}`);
    const dir = resultsDir(flags.out, flags.quick);
    if (dir) {
      const files = writeBenchResults(dir, 'train', report, { bench: 'train', date: info.date, quick: flags.quick, metrics: trainMetrics(results, info) });
      console.log(`wrote ${files.md} and ${files.json}`);
    } else {
      console.log('--quick: bench/results/train.md left as it was');
    }
    const s = summarizeTrain(results);
    console.log(`scaling ${s.scaling.toFixed(2)}x; kernel share of copy: linear ${((s.gb.linear.fabric ?? NaN) / s.copyGb).toFixed(3)}, logistic ${((s.gb.logistic.fabric ?? NaN) / s.copyGb).toFixed(3)}`);
  } finally {
    await browser?.close();
    await server.close();
  }
}

runBench('bench:train', main);
