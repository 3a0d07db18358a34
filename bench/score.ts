/**
 * `npm run bench:score [-- --rounds N] [--quick] [--out DIR]`: how `fabric.score`, `scoreStream` and `predict`
 * perform, side by side in one run: (1) a ~10.5 MB tfjs model cached per slot against reloaded for
 * every batch (`reload: true`), 2 local slots, same batches; (2) Fabric on 2 local slots against
 * plain tfjs `model.predict` in one page over the same rows, with an MLP that has real compute per
 * row; (3) rising stream rates until p99 latency passes 1 s; (4) `fabric.predict` latency.
 *
 * Parts 1 and 2 run in interleaved rounds (medians reported), in one page (bench/score.html) that
 * holds the coordinator and the baseline. Every run records the renderer's CPU (DevTools), other
 * jobs' on this shared machine, and each slot worker's time on a CPU, waiting for one, and asleep
 * (/proc schedstat). Writes the table, details and findings to bench/results/score.md (with --quick
 * only to --out), its headline figures to score.json (bench/score-metrics.ts). Local slots only,
 * in the page that also runs the tfjs baseline: no volunteers. Not a test: nothing asserts a time.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser, CDPSession } from '@playwright/test';
import { codeState, inPage, launchChromium, machineInfo, openBenchPage, runBench, startFabricServer, type BenchPage } from './harness.ts';
import { resultsDir, writeBenchResults } from './metrics.ts';
import { coresBetween, cpuTicks } from './proc-cpu.ts';
import type { ModelInfo, ModelKind, PageInfo, PredictCall, ScoreRun, TfjsRun } from './score-page.ts';
import { scoreMetrics } from './score-metrics.ts';
import { P99_LIMIT_MS, renderScoreReport, type Measured, type Round, type ScoreResults, type StreamStep, rendererThreads, threadShares } from './score-report.ts';

/** Local slots: the brief's two, on this 2-core machine. */
const SLOTS = 2;
/**
 * Rows per batch in the headline: Spark's default Arrow batch for pandas UDFs
 * (`spark.sql.execution.arrow.maxRecordsPerBatch` = 10,000), where the talk's reload anti-pattern
 * lives. Part 2 uses Fabric's own default (25,000), what `fabric.score(model)` does.
 */
const HEADLINE_BATCH = 10_000;
/** The baseline predicts in chunks of the slot's own size (PREDICT_CHUNK in src/worker/executors/score.ts). */
const TFJS_CHUNK = 8192;
/**
 * 10k to 400k rows/s, then 800k and 1.6M: 2 slots scored up to about 1.5M rows/s in batch here, so
 * the ladder reaches past that (flights-3m's 3M rows give the top two rates only 4 and 2 s of arrivals).
 */
const STREAM_RATES = [10_000, 20_000, 50_000, 100_000, 200_000, 400_000, 800_000, 1_600_000];
/** Real-time predict: 500 timed calls after 20 warm-up calls (the first sends and loads the model). */
const PREDICT = { calls: 500, warmup: 20 } as const;
/** The 10.5 MB model's predict is a reference line only (each call hashes the model: ~15 ms here), so fewer calls. */
const PREDICT_EMBEDDING = { calls: 100, warmup: 5 } as const;
/** Runs of the slot's executor in the page per figure; the fastest is kept (the least disturbed by other jobs). */
const TASK_REPEATS = 7;
/**
 * --quick: the first 400,000 rows (4 partitions, 2 per slot), one round, 1 s of arrivals per rate
 * on a sparser ladder, fewer predict calls and task repeats: a sixth of a minute or so, so
 * `npm run bench -- --quick` runs all five benchmarks in under 3 minutes.
 */
const QUICK = {
  rows: 400_000, streamSeconds: 1, rates: [50_000, 200_000, 800_000, 1_600_000],
  predict: { calls: 100, warmup: 10 }, predictEmbedding: { calls: 30, warmup: 5 }, taskRepeats: 3,
} as const;
/**
 * Before each run of parts 1 and 2 (not with --quick), wait up to 20 s for the machine to be under
 * 0.3 busy cores for 1 s: above the idle page's and server's hum (about 0.1), under one busy thread.
 * After 3 timeouts in a row the run stops waiting (other jobs kept this shared machine 1.2-1.7 cores
 * busy for 20 minutes while this was written). Other jobs' CPU during each run is reported.
 */
const QUIET = { cores: 0.3, windowMs: 1000, maxWaitMs: 20_000, giveUpAfter: 3 } as const;
/** A stream rate that fails while other jobs take over 0.5 cores (a quarter of this machine) is tried once more (not with --quick). */
const RERUN_OTHER_CORES = 0.5;
/** Opening the page decodes flights-3m, starts 2 slots and loads 3M rows (15-40 s here under load). */
const PAGE_TIMEOUT_MS = 240_000;

interface Flags { readonly rounds: number; readonly quick: boolean; readonly out: string | undefined }

function readFlags(): Flags {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, quick: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    console.log('usage: npm run bench:score -- [--rounds N (3; 1 with --quick)] [--quick (400,000 rows, 1 s per stream rate, no quiet waits; prints only unless --out)] [--out DIR (bench/results)]');
    process.exit(0);
  }
  const rounds = values.rounds === undefined ? (values.quick ? 1 : 3) : Number(values.rounds);
  if (Number.isInteger(rounds) && rounds >= 1) return { quick: values.quick, rounds, out: values.out };
  console.error(`bench:score: --rounds expects a whole number of at least 1, got "${values.rounds}"`);
  process.exit(2);
}

interface ScorePage extends BenchPage { readonly cdp: CDPSession }

async function pageCpu(p: ScorePage): Promise<{ wall: number; process: number; thread: number }> {
  const { metrics } = await p.cdp.send('Performance.getMetrics');
  const get = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { wall: get('Timestamp'), process: get('ProcessTime'), thread: get('ThreadTime') };
}

let quietTimeouts = 0;

/** Waits for a quiet machine (see {@link QUIET}); returns ms waited. */
async function awaitQuiet(): Promise<number> {
  const t0 = performance.now();
  while (quietTimeouts < QUIET.giveUpAfter) {
    const a = cpuTicks();
    await new Promise((r) => setTimeout(r, QUIET.windowMs));
    const waited = performance.now() - t0;
    if (!(coresBetween(a, cpuTicks(), os.cpus().length).machine >= QUIET.cores)) {
      quietTimeouts = 0;
      return waited - QUIET.windowMs;
    }
    if (waited >= QUIET.maxWaitMs) {
      quietTimeouts++;
      return waited;
    }
  }
  return 0;
}

/** Runs `fn` in the page with the renderer's, its main thread's and the machine's CPU over it. */
async function measure<T>(p: ScorePage, quiet: boolean, fn: () => Promise<T>): Promise<Measured<T>> {
  const quietWaitMs = quiet ? await awaitQuiet() : 0;
  const c0 = await pageCpu(p);
  const [t0, th0, w0] = [cpuTicks(), rendererThreads(), performance.now()];
  const run = await fn();
  const [t1, th1, w1] = [cpuTicks(), rendererThreads(), performance.now()];
  const c1 = await pageCpu(p);
  const wallS = c1.wall - c0.wall;
  const cores = coresBetween(t0, t1, os.cpus().length);
  const threads = threadShares(th0, th1, (w1 - w0) * 1e6, SLOTS);
  return { run, rendererCores: (c1.process - c0.process) / wallS, mainThreadCores: (c1.thread - c0.thread) / wallS, otherCores: Math.max(0, cores.machine - cores.tree), quietWaitMs, ...(threads ? { threads } : {}) };
}

const build = (p: ScorePage, kind: ModelKind, seed: number): Promise<ModelInfo> => inPage(p, (a) => window.scoreBench.buildModel(a.kind, a.seed), { kind, seed });
const score = (p: ScorePage, id: string, reload: boolean, batchSize?: number) => inPage(p, (a) => window.scoreBench.score(a.id, { reload: a.reload, ...(a.batchSize ? { batchSize: a.batchSize } : {}) }), { id, reload, batchSize });
const tfjs = (p: ScorePage, id: string, call: PredictCall) => inPage(p, (a) => window.scoreBench.tfjsPredict(a.id, { chunkRows: a.chunk, call: a.call }), { id, chunk: TFJS_CHUNK, call });
const rps = (rows: number, ms: number): string => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`;
const cpuNote = (m: Measured<unknown>): string => `renderer ${m.rendererCores.toFixed(2)} cores${m.threads ? ` (slot workers on CPU ${m.threads.slots.cpu.toFixed(2)}, waiting for one ${m.threads.slots.wait.toFixed(2)}; main thread on CPU ${m.threads.main.cpu.toFixed(2)})` : ''}, other jobs ${m.otherCores.toFixed(2)}${m.quietWaitMs > 500 ? `, waited ${(m.quietWaitMs / 1000).toFixed(0)} s` : ''}`;

/** One round of parts 1 and 2; every embedding run on a model built for it, so each sends its model to the slots fresh. */
async function runRound(p: ScorePage, round: number, flags: Flags): Promise<Round> {
  const made: string[] = [];
  const fresh = async (kind: ModelKind, seed: number): Promise<string> => {
    made.push((await build(p, kind, seed)).id);
    return made.at(-1)!;
  };
  const mlp = await fresh('mlp', 200 + round);
  const scoreNote = (r: ScoreRun): string => `${rps(r.rows, r.wallMs)}, ${r.tasks} tasks, ${r.loads} loads, ${(r.modelBytesSent / 1e6).toFixed(1)} MB of model sent`;
  const tfjsNote = (r: TfjsRun): string => `${rps(r.rows, r.wallMs)} (input ${r.buildMs.toFixed(0)} ms, predict ${r.predictMs.toFixed(0)} ms)`;
  const out: { -readonly [K in keyof Round]?: Round[K] } = {};
  // Alternate the order every round, so neither way always runs first.
  for (const way of round % 2 === 1 ? ['cached', 'reload'] as const : ['reload', 'cached'] as const) {
    const id = await fresh('embedding', 100 + 2 * round + (way === 'reload' ? 1 : 0));
    const m = (out[way] = await measure(p, !flags.quick, () => score(p, id, way === 'reload', HEADLINE_BATCH)));
    console.log(`  round ${round}, ${way}: ${scoreNote(m.run)} (${cpuNote(m)})`);
  }
  for (const way of round % 2 === 1 ? ['fabric', 'plain', 'batched'] as const : ['plain', 'batched', 'fabric'] as const) {
    if (way === 'fabric') {
      const m = (out.fabric = await measure(p, !flags.quick, () => score(p, mlp, false)));
      console.log(`  round ${round}, Fabric MLP, ${SLOTS} slots: ${scoreNote(m.run)} (${cpuNote(m)})`);
    } else {
      const m = (out[way] = await measure(p, !flags.quick, () => tfjs(p, mlp, way)));
      console.log(`  round ${round}, tfjs ${way}: ${tfjsNote(m.run)} (${cpuNote(m)})`);
    }
  }
  const maxAbsDiff = await inPage(p, (id) => window.scoreBench.compare(id), mlp);
  await inPage(p, (ids) => ids.forEach((id) => window.scoreBench.forget(id)), made);
  return { cached: out.cached!, reload: out.reload!, fabric: out.fabric!, plain: out.plain!, batched: out.batched!, maxAbsDiff };
}

/** Part 3: rising rates until p99 passes the limit, then (not with --quick) one rate between. */
async function runStreams(p: ScorePage, id: string, info: PageInfo, flags: Flags): Promise<StreamStep[]> {
  const seconds = flags.quick ? QUICK.streamSeconds : 10;
  const steps: StreamStep[] = [];
  const once = async (rate: number): Promise<StreamStep> => {
    const stream = { id, rate, batchRows: Math.round(rate / 10), rows: Math.min(info.rows, rate * seconds) };
    const m = await measure(p, false, () => inPage(p, (a) => window.scoreBench.stream(a.id, a), stream));
    const s = m.run;
    console.log(`  ${rate.toLocaleString('en-US').padStart(9)} rows/s: p50 ${s.stats.p50.toFixed(0)} ms, p95 ${s.stats.p95.toFixed(0)} ms, p99 ${s.stats.p99.toFixed(0)} ms, ${rps(s.rows, s.wallMs)} end to end${s.everBehind ? ', fell behind' : ''} (${cpuNote(m)})`);
    return { ...s, passed: s.stats.p99 < P99_LIMIT_MS, otherCores: m.otherCores };
  };
  // A rate that failed while other jobs took over RERUN_OTHER_CORES is tried once more (not with --quick); the better try counts.
  const run = async (rate: number): Promise<StreamStep> => {
    let step = await once(rate);
    if (!step.passed && !flags.quick && step.otherCores > RERUN_OTHER_CORES) {
      const again = await once(rate);
      if (again.stats.p99 < step.stats.p99) step = again;
    }
    steps.push(step);
    return step;
  };
  let lastPass: number | undefined;
  for (const rate of flags.quick ? QUICK.rates : STREAM_RATES) {
    if (!(await run(rate)).passed) {
      // One rate halfway (geometric) between the last that kept p99 under the limit and this one, to 10k rows/s.
      if (!flags.quick && lastPass !== undefined) await run(Math.round(Math.sqrt(lastPass * rate) / 10_000) * 10_000);
      break;
    }
    lastPass = rate;
  }
  return steps;
}

async function measureAll(browser: Browser, origin: string, flags: Flags): Promise<ScoreResults> {
  const bp = await openBenchPage(browser, `${origin}/bench/score.html?slots=${SLOTS}${flags.quick ? `&rows=${QUICK.rows}` : ''}`, 'score page', 'scoreReady', PAGE_TIMEOUT_MS);
  const page: PageInfo = await inPage(bp, () => window.scoreReady, undefined);
  const cdp = await bp.page.context().newCDPSession(bp.page);
  await cdp.send('Performance.enable');
  const p: ScorePage = { ...bp, cdp };
  console.log(`page: ${page.slots} local slots (tfjs ${page.slotBackend}), baseline on ${page.pageBackend} (${page.pageThreads} thread(s)), ${page.rows.toLocaleString('en-US')} rows in ${page.partitions} partitions`);
  // Warm-up, not counted: ships every partition to the slots, loads the slots' tfjs kernels.
  const warm = await build(p, 'mlp', 1);
  console.log(`warm-up: ${rps(page.rows, (await score(p, warm.id, false)).wallMs)}`);
  console.log(`1. headline: ${HEADLINE_BATCH.toLocaleString('en-US')}-row batches, cached against reloaded; 2. scaling: 2 slots against tfjs in the page`);
  const rounds: Round[] = [];
  for (let r = 1; r <= flags.rounds; r++) rounds.push(await runRound(p, r, flags));
  console.log(`3. streaming, p99 limit ${P99_LIMIT_MS} ms`);
  const streams = await runStreams(p, warm.id, page, flags);
  console.log('4. real-time predict; then where a task\'s time goes');
  const predictOptions = flags.quick ? QUICK.predict : PREDICT;
  const taskRepeats = flags.quick ? QUICK.taskRepeats : TASK_REPEATS;
  const predictMlp = await inPage(p, (a) => window.scoreBench.predict(a.id, a.o), { id: warm.id, o: predictOptions });
  const emb = await build(p, 'embedding', 3);
  const predictEmbedding = await inPage(p, (a) => window.scoreBench.predict(a.id, a.o), { id: emb.id, o: flags.quick ? QUICK.predictEmbedding : PREDICT_EMBEDDING });
  console.log(`  predict: MLP p50 ${predictMlp.p50.toFixed(2)} ms, p99 ${predictMlp.p99.toFixed(2)} ms; 10.5 MB model p50 ${predictEmbedding.p50.toFixed(2)} ms, p99 ${predictEmbedding.p99.toFixed(2)} ms`);
  const cost = (id: string, rows: number, reload: boolean) => inPage(p, (a) => window.scoreBench.taskCost(a.id, { rows: a.rows, reload: a.reload, repeats: a.repeats }), { id, rows, reload, repeats: taskRepeats });
  const costs = {
    mlp: await cost(warm.id, 25_000, false),
    embCached: await cost(emb.id, HEADLINE_BATCH, false),
    embReload: await cost(emb.id, HEADLINE_BATCH, true),
    embBatched: await tfjs(p, emb.id, 'batched'),
  };
  console.log(`  slot task on the page's main thread: MLP ${costs.mlp.taskMs.toFixed(1)} ms per 25,000 rows; 10.5 MB model ${costs.embCached.taskMs.toFixed(1)} ms cached, ${costs.embReload.taskMs.toFixed(1)} ms reloaded (load ${costs.embReload.loadMs.toFixed(1)} ms) per ${HEADLINE_BATCH.toLocaleString('en-US')} rows`);
  await p.page.context().close();
  return { page, models: { embedding: emb, mlp: warm }, headlineBatch: HEADLINE_BATCH, tfjsChunk: TFJS_CHUNK, taskRepeats, rounds, streams, predict: { mlp: predictMlp, embedding: predictEmbedding, ...predictOptions }, costs };
}

async function main(): Promise<void> {
  const flags = readFlags();
  const started = performance.now();
  const loadStart = os.loadavg();
  const server = await startFabricServer();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const results = await measureAll(browser, server.origin, flags);
    const date = new Date().toISOString();
    const report = renderScoreReport(results, {
      date, ...machineInfo(), chromium: browser.version(), ...codeState(), loadStart, loadEnd: os.loadavg(),
      runSeconds: (performance.now() - started) / 1000, rounds: flags.rounds, quick: flags.quick, quiet: QUIET, quietGaveUp: quietTimeouts >= QUIET.giveUpAfter, rerunOtherCores: RERUN_OTHER_CORES,
    });
    console.log(`\n${report}`);
    // --quick is for trying the benchmark out: it leaves the committed results alone.
    const dir = resultsDir(flags.out, flags.quick);
    if (dir) {
      const files = writeBenchResults(dir, 'score', report, { bench: 'score', date, quick: flags.quick, metrics: scoreMetrics(results) });
      console.log(`wrote ${files.md} and ${files.json}`);
    }
    console.log(`bench:score took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await browser?.close();
    await server.close();
  }
}

runBench('bench:score', main);
