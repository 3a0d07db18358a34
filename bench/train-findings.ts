/**
 * The findings paragraphs of bench/results/train.md, computed from the same run's numbers: where
 * the time of an evaluation goes, why the kernel sits where it does on the roofline, and what the
 * tfjs baseline spends its time on. Each paragraph names the code it is about.
 */
import { kernelNsPerRow, median, optimizationPhase, ROOFLINE_TARGET, SCALING_TARGET, summarizeTrain, type PageRuns, type ScalingRun, type TrainReportInfo, type TrainResults } from './train-report.ts';

const f = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));

/** Median cores busy (renderer, its main thread, whole machine) over runs that have a CPU window. */
function coresBusy(runs: readonly ScalingRun[]): { renderer: number; main: number; machine: number; gpu: number; others: number; bench: number } {
  const withCpu = runs.filter((r) => r.cpu && r.cpu.wallS > 0);
  const m = (pick: (c: NonNullable<ScalingRun['cpu']>) => number): number => median(withCpu.map((r) => pick(r.cpu!)));
  return {
    renderer: m((c) => c.processS / c.wallS),
    main: m((c) => c.threadS / c.wallS),
    machine: m((c) => c.machineCores),
    gpu: m((c) => c.gpuCores),
    others: m((c) => c.machineCores - c.benchCores),
    bench: m((c) => c.benchCores),
  };
}

/** Median ms per evaluation of the optimization phase. */
function msPerEvaluation(p: PageRuns): number {
  return median(p.rounds.map((r) => optimizationPhase(r.run).msPerEvaluation));
}

/** Median training rows per second of slot-worker CPU (renderer less main thread). */
function rowsPerWorkerSecond(p: PageRuns): number {
  return median(p.rounds.filter((r) => r.cpu).map((r) => optimizationPhase(r.run).rowsPerSecond / ((r.cpu!.processS - r.cpu!.threadS) / r.cpu!.wallS)));
}

/** Median main-thread CPU ms per evaluation: main-thread cores busy x wall ms per evaluation. */
function mainMsPerEvaluation(p: PageRuns): number {
  return median(p.rounds.filter((r) => r.cpu).map((r) => (r.cpu!.threadS / r.cpu!.wallS) * optimizationPhase(r.run).msPerEvaluation));
}

/** What the dashboard costs: the coordinator page against bench/train.html (main-thread ms per evaluation, cores). */
function dashboardFinding(
  s: ReturnType<typeof summarizeTrain>, partitions: number, main: { dash1: number; dash2: number; bare1: number; bare2: number },
  c1: { gpu: number }, c2: { gpu: number }, g1: { gpu: number }, g2: { gpu: number },
): string {
  return `**The dashboard is the largest cost inside the benchmark.** With the coordinator page, each evaluation cost its main thread ${f(main.dash1, 0)} ms of CPU (1 slot) and ${f(main.dash2, 0)} ms (2 slots), ` +
    `against ${f(main.bare1, 0)} and ${f(main.bare2, 0)} ms without the dashboard (bench/train.html), about ${f((main.dash1 - main.bare1) / partitions, 1)} ms more per task; ` +
    `and Chromium's GPU process, which rasterizes and composites the page on the CPU here (SwiftShader), was busy ${f(c1.gpu, 2)} and ${f(c2.gpu, 2)} cores against ${f(g1.gpu, 2)} and ${f(g2.gpu, 2)}. ` +
    'The pages differ only in the panels: src/ui/coordinator/app.ts redraws the partition map and the nodes table at most 4 times a second while tasks move ' +
    '(it redrew them on every task until this benchmark showed the cost), and each redraw restyles, lays out and repaints on the CPU here. ' +
    `On 2 cores those are cycles taken from the slot workers: with 1 slot the coordinator page trained at ${(s.one / 1e6).toFixed(2)} M rows/s, the bare page at ${(s.bareOne / 1e6).toFixed(2)}.`;
}

function scalingFinding(res: TrainResults, info: TrainReportInfo): string[] {
  const s = summarizeTrain(res);
  const sc = res.scaling;
  const d = sc.dashboard;
  const w1 = msPerEvaluation(d.one);
  const w2 = msPerEvaluation(d.two);
  const c1 = coresBusy(d.one.rounds);
  const c2 = coresBusy(d.two.rounds);
  const run = d.one.rounds[0]!.run;
  const rows = run.trainRows + run.holdoutRows;
  // The fastest pass: the kernel's cost with the least interference from other processes.
  const ns = kernelNsPerRow(res.roofline, 'logistic', 'fabric', 'min');
  const kernelMs = ns === undefined ? NaN : (ns * rows) / 1e6;
  const worker1 = (c1.renderer - c1.main) * w1;
  const main1 = c1.main * w1;
  const workers2 = (c2.renderer - c2.main) * w2;
  const verdict = s.scaling >= SCALING_TARGET ? 'meets' : 'misses';
  const perRound = d.one.rounds.map((one, i) => {
    const two = d.two.rounds[i];
    return two ? (optimizationPhase(two.run).rowsPerSecond / optimizationPhase(one.run).rowsPerSecond).toFixed(2) : '-';
  });
  const full = c2.machine >= 1.8;
  const mainDash1 = mainMsPerEvaluation(d.one);
  const eff = rowsPerWorkerSecond(d.two) / rowsPerWorkerSecond(d.one);
  // The page without the dashboard is not measured with --quick: its sentences are left out then.
  const bare = sc.bare;
  const effBare = bare ? rowsPerWorkerSecond(bare.two) / rowsPerWorkerSecond(bare.one) : eff;
  const consumers: [string, number][] = [
    [`Chromium's GPU process (${f(c2.gpu, 2)} cores)`, c2.gpu],
    [`other jobs on the machine (${f(c2.others, 2)})`, c2.others],
    [`the coordinator's main thread (${f(c2.main, 2)})`, c2.main],
  ];
  const biggest = consumers.sort((a, b) => b[1] - a[1])[0]![0];
  return [
    `**Scaling ${verdict} the target: ${s.scaling.toFixed(2)}x** (2 slots ${(s.two / 1e6).toFixed(2)} M rows/s, 1 slot ${(s.one / 1e6).toFixed(2)}; ` +
      `per round ${perRound.join(', ')}).${bare ? ` Without the dashboard the same API scaled ${s.bareScaling.toFixed(2)}x (${(s.bareTwo / 1e6).toFixed(2)} against ${(s.bareOne / 1e6).toFixed(2)} M rows/s).` : ''} ` +
      `On the coordinator page a 1-slot evaluation took ${w1.toFixed(0)} ms and a 2-slot one ${w2.toFixed(0)} ms (ideal ${(w1 / 2).toFixed(0)}). ` +
      `During its 2-slot optimization phases the machine was ${f(c2.machine, 2)} cores busy of 2: the page's renderer (slot workers and main thread) ${f(c2.renderer, 2)}, ` +
      `Chromium's GPU process ${f(c2.gpu, 2)}, the rest of this benchmark (Node with Vite, the browser process, the ${bare ? 'three idle pages' : 'other, idle page'}) ${f(c2.bench - c2.renderer - c2.gpu, 2)}, ` +
      `and other jobs on the shared machine ${f(Math.max(0, c2.others), 2)} (load average ${info.loadStart[0]!.toFixed(1)} at the start, ${info.loadEnd[0]!.toFixed(1)} at the end). ` +
      (full
        ? `So the two slot workers got ${f(c2.renderer - c2.main, 2)} cores between them, not 2; the largest other consumer was ${biggest}.`
        : `The machine had idle CPU while the 2 slot workers used ${f(c2.renderer - c2.main, 2)} cores, so part of the shortfall is in Fabric: workers waiting for tasks.`) +
      ` Per second of slot-worker CPU, 2 slots processed ${f(eff, 2)}x the rows of 1 slot on the coordinator page${bare ? ` and ${f(effBare, 2)}x without the dashboard` : ''}: ` +
      (Math.min(eff, effBare) >= 0.95
        ? 'Fabric loses no efficiency going from 1 to 2 slots, so the shortfall is CPU the workers did not get, not work Fabric added.'
        : `Fabric's own parallel efficiency, so with two free cores for the workers the ratio would be about ${f(2 * Math.min(eff, effBare), 2)}x.`),
    ...(bare ? [dashboardFinding(s, sc.partitions, { dash1: mainDash1, dash2: mainMsPerEvaluation(d.two), bare1: mainMsPerEvaluation(bare.one), bare2: mainMsPerEvaluation(bare.two) }, c1, c2, coresBusy(bare.one.rounds), coresBusy(bare.two.rounds))] : []),
    `**Where an evaluation's time goes (coordinator page, 1 slot, medians).** Wall ${w1.toFixed(0)} ms. The slot worker was on a CPU for ${f(worker1, 0)} ms of it. ` +
      `The kernel, \`glmLossGrad\` (src/kernels/glm-cpu.ts) at ${f(ns, 1)} ns/row (section 3, fastest pass) over all ${rows.toLocaleString('en-US')} rows ` +
      `(the ${run.trainRows.toLocaleString('en-US')} training rows, then the held-out rows for \`holdoutLoss\` in src/worker/executors/train.ts \`runGlmGradient\`), is about ${f(kernelMs, 0)} ms, ` +
      (worker1 - kernelMs > 0.1 * worker1
        ? `leaving about ${f((worker1 - kernelMs) / sc.partitions, 1)} ms per task (of ${sc.partitions}) for the slot's own overhead (message decode, parameter checks, allocations, GC). `
        : `which is all of it within the estimate's error: the slot's own per-task overhead (message decode, parameter checks, allocations, GC) is below ${f((0.1 * worker1) / sc.partitions, 1)} ms a task. `) +
      `The coordinator's main thread used ${f(main1, 0)} ms (${f(main1 / sc.partitions, 1)} ms per task). ` +
      `For the other ${f(w1 - worker1, 0)} ms the worker was off CPU${c1.machine >= 1.8 ? ', waiting for a core on a full machine' : ', waiting for its next task'}. ` +
      `With 2 slots the two workers together used ${f(workers2, 0)} ms of CPU per ${w2.toFixed(0)} ms evaluation (1 slot: ${f(worker1, 0)} ms). ` +
      `The kernel is most of Fabric's own CPU; the held-out pass (${f((100 * run.holdoutRows) / rows, 0)}% of each evaluation's rows) computes the loss only (\`glmLoss\`).`,
  ];
}

function targetFinding(res: TrainResults): string {
  const s = summarizeTrain(res);
  const t = res.toTarget;
  const perBatch = (run: typeof t.tfjsFit): number => {
    const last = run.points[run.points.length - 1];
    return last ? last.ms / last.batches : NaN;
  };
  const fitMs = perBatch(t.tfjsFit);
  const sliceMs = perBatch(t.tfjsSlices);
  const fabricRate = median(t.one.map((r) => optimizationPhase(r).rowsPerSecond));
  const firstPass = median(t.one.map((r) => r.history[0]!.ms));
  const tfjsRate = (1000 * 1024) / fitMs;
  const faster = s.fabric1 !== undefined && (s.tfjsFit === undefined || s.fabric1 < s.tfjsFit);
  return `**Time to the held-out target: Fabric ${faster ? 'is faster' : 'is not faster'}.** Fabric reached ${t.target.toFixed(4)} in ${f((s.fabric1 ?? NaN) / 1000, 2)} s with 1 slot ` +
    `and ${f((s.fabric2 ?? NaN) / 1000, 2)} s with 2, counting its statistics pass and design building; tfjs \`model.fit\` needed ${f((s.tfjsFit ?? NaN) / 1000, 2)} s of training alone ` +
    `(${t.tfjsFit.threads} XNNPACK thread: tfjs-backend-wasm uses half the logical cores). Full-batch L-BFGS takes about ${t.one[0]!.history.find((h) => h.holdoutLoss <= t.target)?.evaluations ?? '-'} passes over the data; ` +
    `Adam at batch 1024 needs about ${f(t.tfjsFit.reachedMs === undefined ? NaN : (t.tfjsFit.points.find((p) => p.ms === t.tfjsFit.reachedMs)!.batches * 1024) / t.design.trainRows, 1)} epochs, ` +
    `and each of its batches costs ${f(fitMs, 1)} ms (${f(tfjsRate / 1e6, 2)} M rows/s against Fabric's ${f(fabricRate / 1e6, 2)} M rows/s per evaluation on 1 slot): ` +
    `the dense input is ${t.design.dim - 1} floats a row where Fabric reads ${t.design.denseCols} float and ${t.design.oneHotCols} indices, and \`model.fit\` gathers every batch's rows by index. ` +
    `A tuned tfjs loop (\`trainOnBatch\` on batches cut from pre-shuffled rows) costs ${f(sliceMs, 1)} ms a batch and reached the target in ${f((s.tfjsSlices ?? NaN) / 1000, 2)} s, ` +
    `${s.tfjsSlices !== undefined && s.fabric1 !== undefined && s.tfjsSlices < s.fabric1 ? 'ahead of' : 'behind'} Fabric on 1 slot (${f((s.fabric1 ?? NaN) / 1000, 2)} s) ` +
    `and ${s.tfjsSlices !== undefined && s.fabric2 !== undefined && s.tfjsSlices < s.fabric2 ? 'ahead of' : 'behind'} Fabric on 2 (${f((s.fabric2 ?? NaN) / 1000, 2)} s). Of Fabric's 1-slot time, the first pass on fresh slots ` +
    `(partitions shipped, statistics pass, designs built, first evaluation) took ${f(firstPass / 1000, 2)} s, and the page's dashboard took its share of the CPU (see above); tfjs's figure counts neither its data preparation nor any rendering.`;
}

function kernelFinding(res: TrainResults): string {
  const r = res.roofline;
  const s = summarizeTrain(res);
  const ns = (kind: 'linear' | 'logistic', impl: 'fabric' | 'naive' | 'one-pass'): number | undefined => kernelNsPerRow(r, kind, impl);
  const bytesPerRow = r.bytesPerPass / r.rows;
  const targetNs = bytesPerRow / (ROOFLINE_TARGET * s.copyGb);
  // linearPredictor: fill + one pass per dense and one-hot column; residuals: one; gradient: one per
  // dense column, one for the intercept, one per one-hot column.
  const passes = 1 + r.denseCols + r.oneHotCols + 1 + r.denseCols + 1 + r.oneHotCols;
  const share = (gb: number | undefined): string => f(gb === undefined ? undefined : gb / s.copyGb, 3);
  const linearMeets = (s.gb.linear['one-pass'] ?? 0) / s.copyGb >= ROOFLINE_TARGET;
  return `**Kernel: ${share(s.gb.linear.fabric)} (linear) and ${share(s.gb.logistic.fabric)} (logistic) of the copy bandwidth, against a target of ${ROOFLINE_TARGET}.** ` +
    `\`glmLossGrad\` took ${f(ns('linear', 'fabric'), 1)} and ${f(ns('logistic', 'fabric'), 1)} ns/row; the naive row-major loop ${f(ns('linear', 'naive'), 1)} and ${f(ns('logistic', 'naive'), 1)}. ` +
    `${ROOFLINE_TARGET} of ${s.copyGb.toFixed(1)} GB/s at ${bytesPerRow.toFixed(0)} bytes a row means ${targetNs.toFixed(1)} ns/row. ` +
    `The kernel is now one pass over the rows (src/kernels/glm-cpu.ts \`fusedLossGrad\`, with the first columns and one-hot features in locals, one exp and one log1p per logistic row, ` +
    `indices checked once per matrix); an earlier column-wise version walked a rows-long scratch array ${passes} times for this shape and ran 2-3x slower. ` +
    `Logistic rows cost ${f((ns('logistic', 'fabric') ?? NaN) - (ns('linear', 'fabric') ?? NaN), 1)} ns more than linear ones. ` +
    `The one-pass sketch (bench/train-kernels.ts \`onePassLossGrad\`: one loop over the rows, streams and weights in locals, one exp and one log1p) ran at ${f(ns('linear', 'one-pass'), 1)} and ${f(ns('logistic', 'one-pass'), 1)} ns/row ` +
    `(${share(s.gb.linear['one-pass'])} and ${share(s.gb.logistic['one-pass'])} of copy): a ${f((ns('linear', 'fabric') ?? NaN) / (ns('linear', 'one-pass') ?? NaN), 1)}x and ${f((ns('logistic', 'fabric') ?? NaN) / (ns('logistic', 'one-pass') ?? NaN), 1)}x gain in plain JS` +
    `${linearMeets ? `, enough for linear to meet ${ROOFLINE_TARGET}` : ''}. ` +
    `Logistic stays short: in the sketch its \`Math.exp\`, \`Math.log1p\` and division add ${f((ns('logistic', 'one-pass') ?? NaN) - (ns('linear', 'one-pass') ?? NaN), 1)} ns a row to the linear pass, ` +
    `more than the whole ${targetNs.toFixed(1)} ns budget, so it needs SIMD (a wasm SIMD kernel with a vectorized exp and log1p). ` +
    'The copy figure itself varies from run to run on this shared machine, so across runs ns/row is the steadier figure.';
}

function designFinding(res: TrainResults): string {
  const t = res.toTarget;
  const d = t.design;
  const usPerRow = ((d.buildTrainMs + d.buildHoldoutMs) * 1000) / t.subset.rows;
  const cold1 = res.scaling.dashboard.one.cold.run.history[0]!.ms;
  const warm1 = median(res.scaling.dashboard.one.rounds.map((r) => r.run.history[0]!.ms));
  return `**The first pass.** \`buildDesign\` (src/worker/features/design.ts) took ${d.buildTrainMs.toFixed(0)} + ${d.buildHoldoutMs.toFixed(0)} ms for the subset's ${t.subset.rows.toLocaleString('en-US')} rows, ` +
    `${usPerRow.toFixed(2)} µs a row on one core: about ${((usPerRow * 3e6) / 1e6).toFixed(1)} s of slot CPU for flights-3m. On 1 slot the cold first pass (partitions shipped, statistics, designs, first evaluation) took ` +
    `${(cold1 / 1000).toFixed(1)} s and a warm one (statistics pass again, designs cached) ${(warm1 / 1000).toFixed(1)} s. Both passes read one-hot features through \`categoryColumn\` ` +
    '(src/data/feature-columns.ts), which makes one JS string per row (`String(hour)` for date parts, an Arrow UTF-8 decode for `origin`) before a `Map` lookup.';
}

/** The findings, in the order of the table. */
export function deriveFindings(res: TrainResults, info: TrainReportInfo): string[] {
  return [...scalingFinding(res, info), targetFinding(res), kernelFinding(res), designFinding(res)];
}
