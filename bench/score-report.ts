/**
 * Turns what bench/score.ts measured into the markdown it prints and writes to
 * bench/results/score.md: the summary table, findings computed from the numbers, and the details
 * of every part (rounds, stream rates, predict latencies, where a task's time goes). Also reads the
 * per-thread CPU clocks (Linux /proc) that the "where the time goes" figures come from.
 */
import { runInfoLines, type RunInfo } from './harness.ts';
import { readdirSync, readFileSync } from 'node:fs';
import type { ModelInfo, PageInfo, PredictRun, ScoreRun, StreamRun, TaskCost, TfjsRun } from './score-page.ts';

/** 2 slots should score at least this many times the rows/s of tfjs in one page (this 2-core machine). */
export const SCALING_TARGET = 1.6;
/** A stream rate holds when its p99 latency, arrival to predictions back, stays under this. */
export const P99_LIMIT_MS = 1000;

/** One run and the CPU around it. */
export interface Measured<T> {
  readonly run: T;
  /** CPU seconds per wall second: the page's renderer (main thread and slot workers), its main thread. */
  readonly rendererCores: number;
  readonly mainThreadCores: number;
  /** The machine's busy cores less this benchmark's processes: other jobs on the shared machine. */
  readonly otherCores: number;
  readonly quietWaitMs: number;
  /** The slot workers (mean of the two) and the page's main thread, from /proc schedstat; absent off Linux. */
  readonly threads?: { readonly slots: ThreadShare; readonly main: ThreadShare };
}
/** Shares of a run's wall time a thread spent on a CPU, runnable but waiting for a CPU (another thread had it), and asleep (no work). */
export interface ThreadShare { readonly cpu: number; readonly wait: number; readonly sleep: number }
/** One round of parts 1 (cached, reload) and 2 (fabric, plain, batched). */
export interface Round {
  readonly cached: Measured<ScoreRun>; readonly reload: Measured<ScoreRun>; readonly fabric: Measured<ScoreRun>;
  readonly plain: Measured<TfjsRun>; readonly batched: Measured<TfjsRun>;
  /** Largest |Fabric − batched tfjs| over every row of the round's MLP. */
  readonly maxAbsDiff: number;
}
/** One stream rate as kept (the better of two tries when other jobs disturbed a failing one), with other jobs' cores during it. */
export interface StreamStep extends StreamRun { readonly passed: boolean; readonly otherCores: number }
/** Everything bench/score.ts measured. */
export interface ScoreResults {
  readonly page: PageInfo;
  readonly models: { readonly embedding: ModelInfo; readonly mlp: ModelInfo };
  readonly headlineBatch: number; readonly tfjsChunk: number; readonly taskRepeats: number;
  readonly rounds: readonly Round[];
  readonly streams: readonly StreamStep[];
  readonly predict: { readonly mlp: PredictRun; readonly embedding: PredictRun; readonly calls: number; readonly warmup: number };
  /** The slot's executor on the page's main thread, and the batched baseline on the 10.5 MB model. */
  readonly costs: { readonly mlp: TaskCost; readonly embCached: TaskCost; readonly embReload: TaskCost; readonly embBatched: TfjsRun };
}
/** The run's context: machine, code, load, settings. */
export interface ScoreReportInfo extends RunInfo {
  readonly rounds: number; readonly quick: boolean;
  readonly quiet: { readonly cores: number; readonly maxWaitMs: number; readonly giveUpAfter: number };
  /** The quiet waits timed out `giveUpAfter` times in a row and were dropped for the rest of the run. */
  readonly quietGaveUp: boolean;
  readonly rerunOtherCores: number;
}

/** One thread of a renderer, from /proc/<pid>/task/<tid>/schedstat: ns on a CPU and ns runnable but waiting for one, so far. */
export interface ThreadClock { readonly pid: string; readonly name: string; readonly main: boolean; readonly cpu: number; readonly wait: number }

/** A /proc file or listing; undefined or empty when the process ended meanwhile, or off Linux. */
const attempt = <T>(read: () => T, fallback: T): T => { try { return read(); } catch { return fallback; } };
const readText = (path: string): string | undefined => attempt<string | undefined>(() => readFileSync(path, 'utf8'), undefined);
const list = (dir: string): string[] => attempt(() => readdirSync(dir), []);

/** Every thread of this benchmark's Chromium renderers, by pid/tid, from /proc/<pid>/task/<tid>/schedstat (Linux; empty elsewhere). */
export function rendererThreads(): Map<string, ThreadClock> {
  const children = new Map<number, number[]>();
  for (const n of list('/proc')) {
    const stat = /^\d+$/.test(n) ? readText(`/proc/${n}/stat`) : undefined;
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(n)]);
  }
  const out = new Map<string, ThreadClock>();
  for (const stack = [process.pid]; stack.length > 0;) {
    const pid = String(stack.pop()!);
    stack.push(...(children.get(Number(pid)) ?? []));
    if (!readText(`/proc/${pid}/cmdline`)?.includes('--type=renderer')) continue;
    for (const tid of list(`/proc/${pid}/task`)) {
      const [cpu, wait] = (readText(`/proc/${pid}/task/${tid}/schedstat`) ?? 'NaN NaN').split(' ').map(Number);
      out.set(`${pid}/${tid}`, { pid, name: readText(`/proc/${pid}/task/${tid}/comm`)?.trim() ?? '', main: tid === pid, cpu: cpu!, wait: wait! });
    }
  }
  return out;
}

/**
 * Shares of `wallNs` the slot workers (the page's `slots` busiest DedicatedWorker threads; Fabric's
 * loader and shuffle workers are idle then) and the page's main thread spent on a CPU, waiting for
 * one, and asleep (waiting for work).
 */
export function threadShares(a: Map<string, ThreadClock>, b: Map<string, ThreadClock>, wallNs: number, slots: number): { slots: ThreadShare; main: ThreadShare } | undefined {
  const delta = [...b].flatMap(([k, t]) => (a.has(k) ? [{ ...t, cpu: t.cpu - a.get(k)!.cpu, wait: t.wait - a.get(k)!.wait }] : []));
  const workers = delta.filter((t) => t.name === 'DedicatedWorker').sort((x, y) => y.cpu + y.wait - x.cpu - x.wait).slice(0, slots);
  const main = delta.find((t) => t.main && t.pid === workers[0]?.pid);
  if (workers.length < slots || !main) return undefined;
  const share = (ts: readonly ThreadClock[]): ThreadShare => {
    const cpu = ts.reduce((s, t) => s + t.cpu, 0) / ts.length / wallNs;
    const wait = ts.reduce((s, t) => s + t.wait, 0) / ts.length / wallNs;
    return { cpu, wait, sleep: 1 - cpu - wait };
  };
  return { slots: share(workers), main: share([main]) };
}

const median = (xs: readonly number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const f = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const rowsPerS = (m: Measured<ScoreRun | TfjsRun>): number => m.run.rows / (m.run.wallMs / 1000);
/** Rows per second of the renderer's CPU: what the work costs, whatever CPU other jobs left. */
const rowsPerCpuS = (m: Measured<ScoreRun | TfjsRun>): number => m.run.rows / ((m.run.wallMs / 1000) * m.rendererCores);

/** Medians over the rounds, and the figures the findings use. */
export function summarize(r: ScoreResults) {
  const med = (pick: (x: Round) => number): number => median(r.rounds.map(pick));
  const cached = med((x) => rowsPerS(x.cached));
  const reload = med((x) => rowsPerS(x.reload));
  const fabric = med((x) => rowsPerS(x.fabric));
  const plain = med((x) => rowsPerS(x.plain));
  const batched = med((x) => rowsPerS(x.batched));
  const tasks = r.rounds[0]!.fabric.run.tasks;
  const fabricWallMs = med((x) => x.fabric.run.wallMs);
  // The slot workers' own CPU (/proc) where there is one; else the renderer's less its main thread (CDP).
  const slotCpuPerTask = med((x) => (x.fabric.run.wallMs * (x.fabric.threads ? x.fabric.threads.slots.cpu * r.page.slots : x.fabric.rendererCores - x.fabric.mainThreadCores)) / x.fabric.run.tasks);
  const share = (pick: (x: Round) => ThreadShare | undefined): ThreadShare => ({ cpu: med((x) => pick(x)?.cpu ?? NaN), wait: med((x) => pick(x)?.wait ?? NaN), sleep: med((x) => pick(x)?.sleep ?? NaN) });
  const mainPerTask = med((x) => (x.fabric.run.wallMs * x.fabric.mainThreadCores) / x.fabric.run.tasks);
  const taskRows = r.page.rows / tasks;
  const computePerTask = r.costs.mlp.taskMs * (taskRows / r.costs.mlp.rows);
  const passed = r.streams.filter((s) => s.passed).map((s) => s.rate);
  const failed = r.streams.filter((s) => !s.passed).map((s) => s.rate);
  // The headline with `predict` batched: per-task compute from the batched baseline's µs/row plus the input build.
  const embBatchedTask = (r.costs.embBatched.wallMs / r.costs.embBatched.rows) * r.headlineBatch;
  return {
    cached, reload, headlineRatio: cached / reload, headlineCpuRatio: med((x) => rowsPerCpuS(x.cached) / rowsPerCpuS(x.reload)), fabric, plain, batched, scaling: fabric / batched, vsPlain: fabric / plain,
    fabricCpuRows: med((x) => rowsPerCpuS(x.fabric)), batchedCpuRows: med((x) => rowsPerCpuS(x.batched)),
    fabricCores: med((x) => x.fabric.rendererCores), otherCores: med((x) => x.fabric.otherCores),
    slots: share((x) => x.fabric.threads?.slots), batchedMain: share((x) => x.batched.threads?.main),
    tasks, taskRows, fabricWallMs, slotCpuPerTask, mainPerTask, computePerTask, idealWallMs: (tasks * computePerTask) / 2,
    // µs of renderer CPU per row, input matrix included: comparable across runs whatever CPU other jobs left.
    plainUsPerRow: med((x) => 1e6 / rowsPerCpuS(x.plain)), batchedUsPerRow: med((x) => 1e6 / rowsPerCpuS(x.batched)),
    buildUsPerRow: med((x) => (x.batched.run.buildMs * 1000) / x.batched.run.rows), maxAbsDiff: Math.max(...r.rounds.map((x) => x.maxAbsDiff)),
    highest: passed.length ? Math.max(...passed) : undefined, firstFail: failed.length ? Math.min(...failed) : undefined,
    embBatchedTask, projectedHeadline: (embBatchedTask + r.costs.embReload.loadMs) / embBatchedTask,
  };
}

function findings(r: ScoreResults): string[] {
  const s = summarize(r);
  const c = r.costs;
  const r0 = r.rounds[0]!;
  const out: string[] = [];
  const batch32 = s.plainUsPerRow / s.batchedUsPerRow;
  const rows = (n: number): string => n.toLocaleString('en-US');
  out.push(`**${s.headlineRatio >= 1.1 ? `Loading once per slot: ${f(s.headlineRatio, 2)}x the rows/s of reloading for every batch` : `Loading once per slot made little difference in this run: ${f(s.headlineRatio, 2)}x the rows/s of reloading for every batch`}** (${int(s.cached)} against ${int(s.reload)} rows/s, ${rows(r.headlineBatch)}-row batches, ${r0.cached.run.loads} loads against ${r0.reload.run.loads}; per second of renderer CPU, which does not depend on what other jobs left, ${f(s.headlineCpuRatio, 2)}x). Model bytes sent were ${mb(r0.cached.run.modelBytesSent)} and ${mb(r0.reload.run.modelBytesSent)}: a reloading slot parses the artifact it already holds, so the price measured is the load alone, ${f(c.embReload.loadMs)} ms per batch (the slot's executor on the page's main thread), not a fetch from storage as a Spark UDF that loads from disk pays. Scoring a batch cost ${f(c.embCached.taskMs)} ms cached and ${f(c.embReload.taskMs)} ms reloaded${s.embBatchedTask < c.embCached.taskMs / 2 ? `; most of the ${f(c.embCached.taskMs)} ms is tfjs-layers' \`predict\` running its default batches of 32 rows (below). With \`predict\` batched the task would compute in about ${f(s.embBatchedTask)} ms, and loading once per slot would be worth about ${f(s.projectedHeadline, 1)}x (projected from this run's in-page figures)` : ''}.`);
  const met = s.scaling >= SCALING_TARGET;
  const efficiency = s.fabricCpuRows / s.batchedCpuRows;
  const chunk = `${rows(r.tfjsChunk)}-row chunks`;
  out.push(`**Scaling ${met ? 'meets' : 'misses'} the target: ${f(s.scaling, 2)}x** tfjs in one page (Fabric on ${r.page.slots} slots ${int(s.fabric)} rows/s; \`model.predict(chunk, { batchSize })\` in ${chunk}, the faster of the two ways the baseline calls it, ${int(s.batched)} rows/s; target ${SCALING_TARGET}x; per round ${r.rounds.map((x) => f(rowsPerS(x.fabric) / rowsPerS(x.batched), 2)).join(', ')}), both on tfjs \`${r.page.pageBackend}\` with ${r.page.pageThreads} XNNPACK thread(s) per context; the predictions agree ${s.maxAbsDiff === 0 ? 'bit for bit' : `to ${s.maxAbsDiff.toExponential(1)}`}. Against \`model.predict(chunk)\` without \`batchSize\` (${int(s.plain)} rows/s) Fabric is at ${f(s.vsPlain, 2)}x: tfjs-layers' \`predict\` then runs every layer once per 32 rows, ${f(s.plainUsPerRow, 2)} µs of CPU per row against ${f(s.batchedUsPerRow, 2)} (${f(batch32, 1)}x). During Fabric's runs the page's renderer used ${f(s.fabricCores, 2)} cores of ${r.page.slots} and other jobs on this shared machine ${f(s.otherCores, 2)} (medians). Per second of renderer CPU Fabric scored ${int(s.fabricCpuRows)} rows and the batched baseline ${int(s.batchedCpuRows)}: ${f(efficiency, 2)}x. On two free cores, at the same CPU per row on each side, ${r.page.slots} slots would give about ${f(efficiency * r.page.slots, 1)}x (a projection, not a measurement).`);
  const overhead = s.slotCpuPerTask - s.computePerTask;
  const pct = (x: number): string => `${f(100 * x, 0)}%`;
  const threads = Number.isFinite(s.slots.cpu)
    ? ` Over Fabric's runs each slot worker was on a CPU ${pct(s.slots.cpu)} of the wall, runnable but waiting for a CPU ${pct(s.slots.wait)} (other processes, this benchmark's browser and server included, or the page's other threads had it) and asleep ${pct(s.slots.sleep)} (waiting for work)${s.slots.sleep < 0.1 ? ': the coordinator kept both slots fed, and the wall time went to CPU the slots did not get' : ''}; the batched baseline's main thread was on a CPU ${pct(s.batchedMain.cpu)} and waiting ${pct(s.batchedMain.wait)}.`
    : '';
  // The slot's executor per row, against the two ways of calling predict: which one the slot does.
  const slotUsPerRow = (s.computePerTask * 1000) / s.taskRows;
  const unbatched = Math.abs(Math.log(slotUsPerRow / s.plainUsPerRow)) < Math.abs(Math.log(slotUsPerRow / s.batchedUsPerRow));
  const overheadShare = overhead / s.computePerTask;
  out.push(`**Where Fabric's time goes** (medians, ${s.tasks} tasks of ${int(s.taskRows)} rows, wall ${f(s.fabricWallMs / 1000, 2)} s).${threads} Per task the slot workers used ${f(s.slotCpuPerTask)} ms of CPU, and the same executor (\`runScore\`) took ${f(s.computePerTask)} ms on the page's main thread (fastest of ${r.taskRepeats} runs; ${f(slotUsPerRow, 2)} µs/row, against ${f(s.batchedUsPerRow, 2)} µs of CPU per row for the batched baseline and ${f(s.plainUsPerRow, 2)} for the plain one): ${overhead > 0 ? `Fabric's cost on the slot (messages, copies, GC) is about ${f(overhead)} ms per task, ${pct(overheadShare)} of the compute` : 'no cost beyond the executor that this run can resolve'}; the coordinator's main thread spent ${f(s.mainPerTask, 2)} ms per task (${pct(s.mainPerTask / s.computePerTask)} of the compute), predictions come back as ${int(s.taskRows * 8)} bytes per task, and reading the columns into the input matrix is ${f(c.mlp.inputMs * (s.taskRows / c.mlp.rows), 1)} ms of a task. ${s.tasks} tasks × ${f(s.computePerTask)} ms / ${r.page.slots} slots = ${f(s.idealWallMs / 1000, 2)} s on two free cores.${unbatched ? ` The slot runs \`predict\` the slow way: fix src/worker/executors/score.ts \`predictLayers\` to call \`layers.predict(x, { batchSize: count })\`.` : ''}${!unbatched && overheadShare + s.mainPerTask / s.computePerTask > 0.2 ? ` With compute this cheap, Fabric's per-task costs are a real share: larger tasks (\`batchSize\`) would amortize them.` : ''}`);
  const at = (rate: number | undefined): StreamStep | undefined => r.streams.find((x) => x.rate === rate);
  const maxRate = Math.max(...r.streams.map((x) => x.rate));
  out.push(s.highest === undefined
    ? `**Streaming: no rate kept p99 under ${P99_LIMIT_MS} ms**; the lowest tried, ${int(r.streams[0]!.rate)} rows/s, had p99 ${f(r.streams[0]!.stats.p99, 0)} ms.`
    : `**Streaming: ${int(s.highest)} rows/s is the highest rate that kept p99 under ${P99_LIMIT_MS} ms** (p99 ${f(at(s.highest)!.stats.p99, 0)} ms${at(s.highest)!.everBehind ? `, though its backlog grew to ${int(at(s.highest)!.maxBacklog)} rows and the stream reported falling behind: a longer stream at that rate would pass the limit` : ''})${s.firstFail === undefined ? `; every rate tried held, up to ${int(maxRate)} rows/s, where the dataset's ${int(r.page.rows)} rows last ${f(r.page.rows / maxRate, 1)} s, so no higher rate can run long enough to judge` : `; ${int(s.firstFail)} rows/s did not (p99 ${f(at(s.firstFail)!.stats.p99, 0)} ms, ${at(s.firstFail)!.everBehind ? 'and the stream reported falling behind' : 'without the stream reporting falling behind'}, largest backlog ${int(at(s.firstFail)!.maxBacklog)} rows)`}. For comparison, batch scoring of the same model ran at ${int(s.fabric)} rows/s (median of part 2).`);
  const pm = r.predict.mlp;
  const pe = r.predict.embedding;
  out.push(`**Real time: \`predict\` p50 ${f(pm.p50, 2)} ms, p99 ${f(pm.p99, 2)} ms** on the MLP (${r.predict.calls} calls after ${r.predict.warmup} warm-up). On the 10.5 MB model p50 is ${f(pe.p50, 2)} ms${pe.p50 > 3 * pm.p50 ? ': \`Predictor.predict\` (src/coordinator/predict.ts) calls \`artifacts.put(model.bytes)\`, a SHA-256 of the whole model, on every call. Fix: keep each PreparedModel\'s ArtifactRef (a WeakMap in Predictor, or the id in the PreparedModel), so a call hashes nothing' : ''}.`);
  return out;
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** The whole results file. */
export function renderScoreReport(r: ScoreResults, info: ScoreReportInfo): string {
  const s = summarize(r);
  const ms = (m: Measured<unknown>): string => `${f(m.rendererCores, 2)} / ${f(m.otherCores, 2)}${m.quietWaitMs > 500 ? ` (waited ${f(m.quietWaitMs / 1000, 0)} s)` : ''}`;
  const emb = r.models.embedding;
  const stream = (x: StreamStep): string[] => [int(x.rate), int(x.batchRows), int(x.rows), f(x.stats.p50, 0), f(x.stats.p95, 0), f(x.stats.p99, 0), int(x.stats.throughput), int(x.rows / (x.wallMs / 1000)), int(x.maxBacklog), x.everBehind ? 'yes' : 'no', f(x.otherCores, 2), x.passed ? 'yes' : '**no**'];
  return [
    '# Scoring benchmark',
    '',
    'Written by `npm run bench:score` (bench/score.ts). One headless Chromium, the Fabric server in process, one page',
    '(bench/score.html) holding a coordinator without the dashboard (2 local slots, public API) and the plain tfjs',
    'baseline on its main thread, over the same rows. Compare ratios, not absolute figures: this is a shared 2-core',
    'machine and other jobs ran on it (their CPU is given per run).',
    '',
    `- Date: ${info.date}${info.quick ? ' (--quick)' : ''}`,
    ...runInfoLines(info),
    `- Run time: ${f(info.runSeconds, 0)} s; ${info.rounds} interleaved round(s) of parts 1 and 2, medians reported`,
    `- Rows: ${int(r.page.rows)} of flights-3m in ${r.page.partitions} partitions; slots: tfjs \`${r.page.slotBackend}\` (their probe); baseline: tfjs \`${r.page.pageBackend}\`, ${r.page.pageThreads} thread(s)`,
    `- Models: 10.5 MB embedding model (\`distance\` → embedding 262,144 × 10 → dense 16 relu → dense 1 sigmoid; ${int(emb.params)} parameters, ${mb(emb.artifactBytes)} artifact); MLP on \`distance\`, \`delay\` (2 → 64 → 64 → 1; ${int(r.models.mlp.params)} parameters)`,
    '',
    '| metric | Fabric | baseline (same run) | ratio | target | met |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    `| 1. Batch scoring, 10.5 MB model, 2 slots, ${r.headlineBatch.toLocaleString('en-US')}-row batches: rows/s (loads; model bytes sent) | cached per slot: ${int(s.cached)} (${r.rounds[0]!.cached.run.loads}; ${mb(r.rounds[0]!.cached.run.modelBytesSent)}) | reloaded every batch: ${int(s.reload)} (${r.rounds[0]!.reload.run.loads}; ${mb(r.rounds[0]!.reload.run.modelBytesSent)}) | ${f(s.headlineRatio, 2)}x | reference | - |`,
    `| 2. Batch scoring, MLP, ${int(r.page.rows)} rows: rows/s, call to last prediction | 2 local slots: ${int(s.fabric)} | tfjs in the page, \`model.predict(chunk, { batchSize })\`, ${r.tfjsChunk}-row chunks: ${int(s.batched)} | ${f(s.scaling, 2)}x | >= ${SCALING_TARGET}x | ${s.scaling >= SCALING_TARGET ? 'met' : '**not met**'} |`,
    `| Same, rows per second of the page's renderer CPU (does not depend on other jobs' load) | ${int(s.fabricCpuRows)} | ${int(s.batchedCpuRows)} | ${f(s.fabricCpuRows / s.batchedCpuRows, 2)}x | - | - |`,
    `| Same, against \`model.predict(chunk)\` without \`batchSize\` (tfjs-layers' 32-row batches) | 2 local slots: ${int(s.fabric)} | ${int(s.plain)} | ${f(s.vsPlain, 2)}x | - | - |`,
    `| 3. Streaming, MLP: highest rate with p99 < ${P99_LIMIT_MS} ms (first rate over) | ${s.highest === undefined ? 'none' : `${int(s.highest)} rows/s`} (${s.firstFail === undefined ? 'none over' : `${int(s.firstFail)} rows/s`}) | - | - | - | - |`,
    `| 4. Real time \`predict\`, MLP, ${r.predict.calls} calls: p50 / p99 | ${f(r.predict.mlp.p50, 2)} / ${f(r.predict.mlp.p99, 2)} ms | - | - | - | - |`,
    '',
    '## Findings',
    '',
    findings(r).join('\n\n'),
    '',
    '## 1 and 2. Rounds',
    '',
    'Every embedding run scores with a model built for it (new seed), so each sends its model to both slots; the MLP',
    'is built once per round. Order alternates by round. Rows/s = rows / time from the call to its return, timed in the',
    `page. Cores: the page's renderer / other jobs (the machine less this benchmark's processes)${info.quick ? '' : `; before each run the driver waited up to ${f(info.quiet.maxWaitMs / 1000, 0)} s for the machine to be under ${info.quiet.cores} busy cores${info.quietGaveUp ? ` (after ${info.quiet.giveUpAfter} timeouts in a row it stopped waiting: the machine stayed busy)` : ''}`}. Thread`,
    'shares (/proc schedstat, fractions of the wall): on a CPU, runnable but waiting for one, asleep (no work).',
    '',
    table(['round', 'cached rows/s', 'reload rows/s', 'ratio', 'Fabric MLP rows/s', 'tfjs plain rows/s', 'tfjs batched rows/s', 'scaling (vs batched)', 'cores: cached', 'reload', 'Fabric', 'tfjs batched', 'Fabric slot workers: CPU / waiting / asleep', 'tfjs batched main thread: CPU / waiting', 'max abs diff'],
      r.rounds.map((x, i) => [String(i + 1), int(rowsPerS(x.cached)), int(rowsPerS(x.reload)), `${f(rowsPerS(x.cached) / rowsPerS(x.reload), 2)}x`, int(rowsPerS(x.fabric)), int(rowsPerS(x.plain)), int(rowsPerS(x.batched)), `${f(rowsPerS(x.fabric) / rowsPerS(x.batched), 2)}x`, ms(x.cached), ms(x.reload), ms(x.fabric), ms(x.batched),
        x.fabric.threads ? [x.fabric.threads.slots.cpu, x.fabric.threads.slots.wait, x.fabric.threads.slots.sleep].map((v) => f(v, 2)).join(' / ') : 'n/a', x.batched.threads ? `${f(x.batched.threads.main.cpu, 2)} / ${f(x.batched.threads.main.wait, 2)}` : 'n/a', x.maxAbsDiff.toExponential(1)])),
    '',
    `tfjs baseline time = reading the Arrow columns into a row-major Float32Array (${f(s.buildUsPerRow, 3)} µs/row) + \`predict\` per chunk + reading each chunk's output.`,
    `Slot task, the slot's own executor (\`runScore\`) on the page's main thread, fastest of several runs: MLP ${f(r.costs.mlp.taskMs)} ms per ${int(r.costs.mlp.rows)} rows (input matrix ${f(r.costs.mlp.inputMs, 2)} ms); 10.5 MB model ${f(r.costs.embCached.taskMs)} ms cached, ${f(r.costs.embReload.taskMs)} ms reloaded (load ${f(r.costs.embReload.loadMs)} ms) per ${int(r.costs.embCached.rows)} rows; tfjs batched on the 10.5 MB model ${f((r.costs.embBatched.predictMs * 1000) / r.costs.embBatched.rows, 3)} µs/row.`,
    '',
    '## 3. Streaming',
    '',
    `flights-3m replayed in row order through \`fabric.scoreStream\` (MLP, cached on the slots), \`batchRows\` = rate / 10, about ${info.quick ? 3 : 10} s of arrivals per rate (fewer rows when the data runs out). Latency: arrival to predictions back. Throughput: the stream's own figure (last 3 s) and rows / wall time of the whole stream.${info.quick ? '' : ` A rate that failed while other jobs took over ${info.rerunOtherCores} cores was streamed once more and the better try kept; the ladder stops at the first rate that fails, then tries one rate between it and the last that held.`}`,
    '',
    table(['rate, rows/s', 'batch rows', 'rows', 'p50 ms', 'p95 ms', 'p99 ms', 'throughput', 'end to end rows/s', 'max backlog', 'fell behind', 'other jobs, cores', `p99 < ${P99_LIMIT_MS} ms`], r.streams.map(stream)),
    '',
    '## 4. Real-time predict',
    '',
    table(['model', 'calls', 'p50 ms', 'p99 ms', 'mean ms', 'max ms', '`predictStats()` count / p50 / p99'],
      ([['MLP', r.predict.mlp], ['10.5 MB embedding model (reference)', r.predict.embedding]] as const).map(([name, p]) => [name, String(p.calls), f(p.p50, 2), f(p.p99, 2), f(p.mean, 2), f(p.max, 1), `${p.apiStats.count} / ${f(p.apiStats.p50, 2)} / ${f(p.apiStats.p99, 2)}`])),
    '',
    'Latency measured in the page around each `fabric.predict` call; `predictStats()` counts every call so far, warm-ups and the MLP\'s calls included.',
    '',
  ].join('\n');
}
