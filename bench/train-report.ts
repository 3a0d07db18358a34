/**
 * Turns what bench/train.ts measured into the markdown it prints and writes to
 * bench/results/train.md: the summary table (Fabric, the baseline from the same run, the ratio,
 * the target), the details behind each line, and the findings the numbers support.
 */
import { runInfoLines, type RunInfo } from './harness.ts';
import type { KernelImpl, RooflineResult } from './train-kernels.ts';
import type { DesignInfo, FabricRun, SlotInfo, SubsetInfo, TrainSpec } from './train-page.ts';
import type { TfjsRun } from './train-tfjs.ts';

/** 2 slots should train at least this many times as fast as 1 (on this 2-core machine). */
export const SCALING_TARGET = 1.6;
/** The gradient kernel should stream its input at least at this share of the memory copy speed. */
export const ROOFLINE_TARGET = 0.25;

/** Renderer CPU between the first and the last optimizer iteration (Chromium's Performance metrics). */
export interface CpuWindow {
  readonly wallS: number;
  /** CPU time of the whole renderer process: the page's main thread and its slot workers. */
  readonly processS: number;
  /** CPU time of the page's main thread. */
  readonly threadS: number;
  /** Cores busy over the window (/proc; NaN elsewhere): the whole machine, every process. */
  readonly machineCores: number;
  /** This benchmark's process tree: Node with Vite and Playwright, and all of Chromium. */
  readonly benchCores: number;
  /** Chromium's GPU process: compositing and rasterizing the pages (SwiftShader, on the CPU, here). */
  readonly gpuCores: number;
}

/** One measured `train` call of the scaling part. */
export interface ScalingRun {
  readonly run: FabricRun;
  readonly cpu?: CpuWindow | undefined;
}

/** The optimization phase of a run: iteration 1 to the last, so the feature pass is excluded. */
export interface OptimizationPhase {
  readonly evaluations: number;
  readonly ms: number;
  readonly msPerEvaluation: number;
  /** Training rows x objective evaluations / time. */
  readonly rowsPerSecond: number;
}

/** The optimization phase of `run`; throws when it has fewer than two iterations to time between. */
export function optimizationPhase(run: FabricRun): OptimizationPhase {
  const first = run.history[1];
  const last = run.history[run.history.length - 1];
  if (!first || !last || last.evaluations <= first.evaluations) throw new Error(`train bench: a run of ${run.history.length} iterations has no optimization phase to time`);
  const evaluations = last.evaluations - first.evaluations;
  const ms = last.ms - first.ms;
  return { evaluations, ms, msPerEvaluation: ms / evaluations, rowsPerSecond: (run.trainRows * evaluations) / (ms / 1000) };
}

/** Ms from the train() call to the first iteration whose held-out loss is at or under `target`. */
export function msToTarget(run: FabricRun, target: number): number | undefined {
  return run.history.find((h) => h.holdoutLoss <= target)?.ms;
}

/** Everything the report states besides the measurements. */
export interface TrainReportInfo extends RunInfo {
  readonly spec: TrainSpec;
  readonly rounds: number;
  readonly targetMargin: number;
  readonly tfjs: { readonly batchSize: number; readonly learningRate: number; readonly capS: number; readonly evalEveryBatches: number };
}

/** The runs of one page in the scaling part. */
export interface PageRuns {
  readonly slots: number;
  /** The first run: cold slots (partitions shipped, designs built); not counted. */
  readonly cold: ScalingRun;
  /** One run per round. */
  readonly rounds: readonly ScalingRun[];
}

/** All the measurements. */
export interface TrainResults {
  readonly scaling: {
    readonly partitions: number;
    /** Rows the scaling pages trained on: all of flights-3m, or with --quick its first rows. */
    readonly rows: number;
    /** The local node of the 2-slot coordinator page, as `fabric.nodes()` shows it. */
    readonly slots: SlotInfo;
    /** The coordinator page `/`, dashboard and all: the figures of record. */
    readonly dashboard: { readonly one: PageRuns; readonly two: PageRuns };
    /** bench/train.html: the same API and the same start, no dashboard (not measured with --quick). */
    readonly bare?: { readonly one: PageRuns; readonly two: PageRuns };
  };
  readonly toTarget: {
    readonly subset: SubsetInfo;
    readonly design: DesignInfo;
    readonly backend: string;
    readonly target: number;
    readonly finalLoss: number;
    readonly one: readonly FabricRun[];
    readonly two: readonly FabricRun[];
    readonly tfjsFit: TfjsRun;
    readonly tfjsSlices: TfjsRun;
  };
  readonly roofline: RooflineResult;
  /** CPU over the roofline call: how much of its wall time the page's main thread was on a CPU. */
  readonly rooflineCpu: CpuWindow;
}

/** The middle value (mean of the two middle values for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const f = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const met = (ok: boolean): string => (ok ? 'met' : '**not met**');
const mRows = (x: number): string => (x / 1e6).toFixed(2);
const seconds = (ms: number | undefined): string => (ms === undefined ? 'not reached' : `${(ms / 1000).toFixed(2)} s`);

/** Ns per row of one kernel: of its median pass, or of its fastest. */
export function kernelNsPerRow(r: RooflineResult, kind: 'linear' | 'logistic', impl: KernelImpl, of: 'median' | 'min' = 'median'): number | undefined {
  const t = r.timings.find((x) => x.kind === kind && x.impl === impl);
  return t ? ((of === 'min' ? Math.min(...t.ms) : median(t.ms)) * 1e6) / r.rows : undefined;
}

function kernelGbPerSecond(r: RooflineResult, kind: 'linear' | 'logistic', impl: KernelImpl): number | undefined {
  const t = r.timings.find((x) => x.kind === kind && x.impl === impl);
  return t ? r.bytesPerPass / (median(t.ms) / 1000) / 1e9 : undefined;
}

/** Derived figures the table and the findings share. */
export function summarizeTrain(res: TrainResults): {
  one: number; two: number; scaling: number; bareOne: number; bareTwo: number; bareScaling: number;
  fabric1: number | undefined; fabric2: number | undefined; tfjsFit: number | undefined; tfjsSlices: number | undefined;
  copyGb: number; gb: Record<'linear' | 'logistic', Record<KernelImpl, number | undefined>>;
} {
  const rate = (p: PageRuns): number => median(p.rounds.map((s) => optimizationPhase(s.run).rowsPerSecond));
  const one = rate(res.scaling.dashboard.one);
  const two = rate(res.scaling.dashboard.two);
  const bareOne = res.scaling.bare ? rate(res.scaling.bare.one) : NaN;
  const bareTwo = res.scaling.bare ? rate(res.scaling.bare.two) : NaN;
  const t = res.toTarget;
  const reached = (runs: readonly FabricRun[]): number | undefined => {
    const ms = runs.map((r) => msToTarget(r, t.target));
    return ms.some((x) => x === undefined) ? undefined : median(ms as number[]);
  };
  const r = res.roofline;
  const gbOf = (kind: 'linear' | 'logistic'): Record<KernelImpl, number | undefined> =>
    ({ fabric: kernelGbPerSecond(r, kind, 'fabric'), naive: kernelGbPerSecond(r, kind, 'naive'), 'one-pass': kernelGbPerSecond(r, kind, 'one-pass') });
  return {
    one, two, scaling: two / one, bareOne, bareTwo, bareScaling: bareTwo / bareOne,
    fabric1: reached(t.one), fabric2: reached(t.two), tfjsFit: t.tfjsFit.reachedMs, tfjsSlices: t.tfjsSlices.reachedMs,
    copyGb: r.copyBytesPerSecond / 1e9, gb: { linear: gbOf('linear'), logistic: gbOf('logistic') },
  };
}

function summaryTable(res: TrainResults, info: TrainReportInfo): string[] {
  const s = summarizeTrain(res);
  const t = res.toTarget;
  const speedup = (fabricMs: number | undefined, baseMs: number | undefined): number | undefined =>
    fabricMs === undefined ? undefined : (baseMs ?? info.tfjs.capS * 1000) / fabricMs;
  const ttRow = (label: string, fabricMs: number | undefined, base: string, baseMs: number | undefined, target: boolean): string => {
    const ratio = speedup(fabricMs, baseMs);
    const bound = baseMs === undefined && fabricMs !== undefined ? '> ' : '';
    return `| ${label} | ${seconds(fabricMs)} | ${base}: ${seconds(baseMs)} | ${bound}${f(ratio, 1)}x | ${target ? 'Fabric faster (> 1x)' : 'reference'} | ${target ? met(ratio !== undefined && ratio > 1) : '-'} |`;
  };
  const tfjsName = `tfjs \`model.fit\` (${t.backend}, ${t.tfjsFit.threads} thread${t.tfjsFit.threads === 1 ? '' : 's'})`;
  const kernelRow = (kind: 'linear' | 'logistic'): string => {
    const fab = s.gb[kind].fabric;
    const naive = s.gb[kind].naive;
    const share = (gb: number | undefined): string => (gb === undefined ? '-' : `${gb.toFixed(2)} GB/s (${(gb / s.copyGb).toFixed(3)} of copy)`);
    const ok = fab !== undefined && fab / s.copyGb >= ROOFLINE_TARGET;
    return `| \`glmLossGrad\` ${kind}, ${res.roofline.rows.toLocaleString('en-US')} rows: GB/s of input streamed (share of the ${s.copyGb.toFixed(1)} GB/s copy) | ${share(fab)} | naive row-major JS loop: ${share(naive)} | ${f(fab !== undefined && naive !== undefined ? fab / naive : undefined, 2)}x | >= ${ROOFLINE_TARGET} of copy | ${met(ok)} |`;
  };
  return [
    '| metric | Fabric | baseline (same run) | ratio | target | met |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    `| Training throughput, optimization phase, flights-3m${res.scaling.rows === 3_000_000 ? '' : ` (first ${res.scaling.rows.toLocaleString('en-US')} rows)`}, coordinator page \`/\` (M training rows/s, median of ${info.rounds}) | 2 local slots: ${mRows(s.two)} | 1 local slot: ${mRows(s.one)} | ${s.scaling.toFixed(2)}x | >= ${SCALING_TARGET}x | ${met(s.scaling >= SCALING_TARGET)} |`,
    ...(res.scaling.bare ? [`| Same, on a coordinator without the dashboard (bench/train.html), for diagnosis | 2 local slots: ${mRows(s.bareTwo)} | 1 local slot: ${mRows(s.bareOne)} | ${s.bareScaling.toFixed(2)}x | - | - |`] : []),
    ttRow(`Time to held-out log loss <= ${t.target.toFixed(4)}, ${t.subset.rows.toLocaleString('en-US')} rows, 1 local slot (from the train() call, fresh slots)`, s.fabric1, tfjsName, s.tfjsFit, true),
    ttRow('Same, 2 local slots', s.fabric2, tfjsName, s.tfjsFit, true),
    ttRow('Same, 1 local slot, against a tuned tfjs loop', s.fabric1, `tfjs \`trainOnBatch\` on contiguous slices (${t.backend})`, s.tfjsSlices, false),
    kernelRow('linear'),
    kernelRow('logistic'),
  ];
}

function scalingDetails(res: TrainResults): string[] {
  const line = (label: string, sr: ScalingRun, page: string): string => {
    const p = optimizationPhase(sr.run);
    const c = sr.cpu;
    const cores = c ? f(c.processS / c.wallS, 2) : '-';
    const main = c ? f(c.threadS / c.wallS, 2) : '-';
    const perCore = c ? mRows(p.rowsPerSecond / ((c.processS - c.threadS) / c.wallS)) : '-';
    const gpu = c ? f(c.gpuCores, 2) : '-';
    // Sampling jitter can put the tree a tick above the machine: show that as 0.
    const others = c ? f(Math.max(0, c.machineCores - c.benchCores), 2) : '-';
    const machine = c ? f(c.machineCores, 2) : '-';
    return `| ${label} | ${page} | ${sr.run.slots} | ${mRows(p.rowsPerSecond)} | ${p.msPerEvaluation.toFixed(0)} | ${p.evaluations} | ${perCore} | ${cores} | ${main} | ${gpu} | ${others} | ${machine} | ${(sr.run.history[0]!.ms / 1000).toFixed(1)} | ${median(sr.run.taskMs).toFixed(0)} |`;
  };
  const pages: [string, PageRuns][] = [
    ['`/`', res.scaling.dashboard.one], ['`/`', res.scaling.dashboard.two],
    ...(res.scaling.bare ? [['bench/train.html', res.scaling.bare.one], ['bench/train.html', res.scaling.bare.two]] as [string, PageRuns][] : []),
  ];
  const rounds = Math.max(...pages.map(([, p]) => p.rounds.length));
  return [
    '| run | page | slots | M train rows/s | ms per evaluation | evaluations timed | M train rows per slot-worker CPU second | cores: page\'s renderer | its main thread | Chromium GPU process | other jobs | whole machine | first pass, s | median task ms (start to commit) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...pages.map(([page, p]) => line('cold (not counted)', p.cold, page)),
    ...Array.from({ length: rounds }, (_, i) => pages.flatMap(([page, p]) => (p.rounds[i] ? [line(`round ${i + 1}`, p.rounds[i]!, page)] : []))).flat(),
  ];
}

function toTargetDetails(res: TrainResults, batchSize: number): string[] {
  const t = res.toTarget;
  const fab = (label: string, runs: readonly FabricRun[]): string[] => runs.map((r, i) => {
    const reached = r.history.find((h) => h.holdoutLoss <= t.target);
    return `| Fabric, ${label}, run ${i + 1} | ${seconds(reached?.ms)} | ${reached ? `iteration ${reached.iteration} (${reached.evaluations} evaluations)` : '-'} | first pass ${(r.history[0]!.ms / 1000).toFixed(2)} s, total ${(r.ms / 1000).toFixed(2)} s, final ${r.history[r.history.length - 1]!.holdoutLoss.toFixed(5)} |`;
  });
  const tf = (label: string, run: TfjsRun): string => {
    const best = Math.min(...run.points.map((p) => p.holdoutLoss));
    const at = run.reachedMs === undefined ? undefined : run.points.find((p) => p.ms === run.reachedMs);
    const epochs = (batches: number): string => ((batches * batchSize) / run.trainRows).toFixed(2);
    const where = at ? `${at.batches} batches (${epochs(at.batches)} epochs)` : `stopped by ${run.stoppedBy} after ${run.batches} batches (${epochs(run.batches)} epochs)`;
    return `| ${label} | ${seconds(run.reachedMs)} | ${where} | best ${f(best, 5)}; dense input and tensors ${(run.prepMs / 1000).toFixed(2)} s and held-out evaluations ${(run.evalMs / 1000).toFixed(2)} s, not counted |`;
  };
  return [
    '| trainer | time to target | reached at | notes |',
    '| --- | ---: | --- | --- |',
    ...fab('1 slot', t.one),
    ...fab('2 slots', t.two),
    tf(`tfjs \`model.fit\`, ${t.backend}, ${t.tfjsFit.threads} thread(s)`, t.tfjsFit),
    tf(`tfjs \`trainOnBatch\` slices, ${t.backend}, ${t.tfjsSlices.threads} thread(s)`, t.tfjsSlices),
  ];
}

function rooflineDetails(r: RooflineResult): string[] {
  const rows = r.timings.map((t) => {
    const ms = median(t.ms);
    const gb = r.bytesPerPass / (ms / 1000) / 1e9;
    return `| ${t.kind} | ${t.impl} | ${ms.toFixed(2)} | ${f(Math.min(...t.ms), 2)} | ${((ms * 1e6) / r.rows).toFixed(1)} | ${gb.toFixed(2)} | ${(gb / (r.copyBytesPerSecond / 1e9)).toFixed(3)} | ${t.loss.toPrecision(10)} |`;
  });
  return [
    '| model | kernel | median ms | min ms | ns per row | GB/s | share of copy | loss (same for every kernel) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
}

/** The whole results file. `findings` are paragraphs the driver derives from the same numbers. */
export function renderTrainReport(res: TrainResults, info: TrainReportInfo, findings: readonly string[]): string {
  const t = res.toTarget;
  const r = res.roofline;
  const spec = info.spec;
  return [
    '# Training benchmark',
    '',
    'Written by `npm run bench:train` (bench/train.ts). One headless Chromium, the Fabric server in',
    'process, the coordinator page (`/`) driven through its public API (`window.fabric`); every baseline',
    'runs in the same run, on the same machine, interleaved where it can be. Compare ratios, not absolute',
    'figures: this is a shared 2-core machine, and other jobs ran on it (load averages below).',
    '',
    `- Date: ${info.date}`,
    ...runInfoLines(info),
    `- Run time: ${info.runSeconds.toFixed(0)} s`,
    `- Slots: tfjs backend \`${res.scaling.slots.backend}\` (their probe), model kernel \`${res.scaling.slots.kernel}\` (${res.scaling.slots.kernelReason || 'no reason given'})`,
    `- Model: ${spec.kind} regression, l2 ${spec.l2}, L-BFGS, maxIter ${spec.maxIter}; target \`${JSON.stringify(spec.target)}\`; features \`${spec.features.join('`, `')}\``,
    '',
    ...summaryTable(res, info),
    '',
    '## Findings',
    '',
    ...findings.flatMap((p) => [p, '']),
    '## 1. Scaling: 1 and 2 local slots',
    '',
    `flights-3m (${res.scaling.rows === 3_000_000 ? '' : 'first '}${res.scaling.rows.toLocaleString('en-US')} rows, ${res.scaling.partitions} partitions), ${res.scaling.bare ? 'four' : 'two'} pages open side by side: the coordinator page`,
    res.scaling.bare
      ? '`/?slots=1` and `/?slots=2`, and bench/train.html with 1 and 2 slots (the same `Fabric.start` and'
      : '`/?slots=1` and `/?slots=2` (--quick: not bench/train.html, the same `Fabric.start` and',
    'public API, no dashboard). Each trains once cold, then once per round, in that order every round.',
    'Rows/s = training rows x objective evaluations / time, from iteration 1 to the last (`history`), so',
    'the statistics pass and the design building of the first pass are excluded. Every evaluation also',
    'computes the held-out loss over the held-out 20%, which rows/s does not count. CPU is Chromium\'s',
    '`Performance.getMetrics` (`ProcessTime`: the renderer, workers included; `ThreadTime`: the main',
    'thread), and /proc for the GPU process, for this benchmark\'s whole process tree and for the machine,',
    'sampled every 100 ms over the same window. Cores = CPU seconds / wall seconds, of 2; "other jobs" =',
    'the machine less this benchmark\'s processes (Node with Vite and Playwright, all of Chromium). Rows per',
    'slot-worker CPU second divides rows/s by the cores the slot workers had (renderer less main thread): it',
    'does not depend on how much CPU other processes left, so 2 slots over 1 on it is the parallel',
    'efficiency, and twice that is the ratio two free cores would give.',
    '',
    ...scalingDetails(res),
    '',
    '## 2. Time to a fixed held-out loss, against tfjs',
    '',
    `Both sides train on the first ${t.subset.rows.toLocaleString('en-US')} rows of flights-3m, loaded into Fabric as Arrow IPC`,
    `(${t.subset.partitions} partitions) and kept in the page for tfjs: the same rows, the same split (seed 42, 20% held`,
    'out), the same features and standardization (the feature plan of the Fabric run), the same objective',
    `(mean log loss + ${spec.l2}/2 ||w||^2, bias not penalized; tfjs \`l2({ l2: ${spec.l2 / 2} })\`), both from zero weights.`,
    `Design: ${t.design.trainRows.toLocaleString('en-US')} training and ${t.design.holdoutRows.toLocaleString('en-US')} held-out rows, ${t.design.dim - 1} inputs (${t.design.denseCols} dense, the rest one-hot`,
    `from ${t.design.oneHotCols} categorical features). The target is Fabric's final held-out loss (${t.finalLoss.toFixed(5)}) + ${info.targetMargin}.`,
    'Fabric\'s time runs from the train() call on fresh slots (a new local node for every run: partitions',
    'shipped, statistics pass, designs built) to the first iteration at or under the target. tfjs\'s time',
    'counts training only: building its dense input and the held-out evaluations are excluded, which',
    `favours tfjs. tfjs: one dense sigmoid unit, binary cross-entropy, Adam (lr ${info.tfjs.learningRate}), batch ${info.tfjs.batchSize},`,
    `held-out loss every ${info.tfjs.evalEveryBatches} batches (computed in float64 from its weights with Fabric's formula), cap ${info.tfjs.capS} s.`,
    `The backend is the one Fabric's slots chose (\`${t.backend}\`); tfjs-backend-wasm runs XNNPACK on half the logical`,
    'cores, so 1 thread here. Fabric\'s runs alternate 1 slot, 2 slots.',
    '',
    ...toTargetDetails(res, info.tfjs.batchSize),
    '',
    '## 3. Roofline of the gradient kernel',
    '',
    `The training design of section 2 (${r.rows.toLocaleString('en-US')} rows, ${r.denseCols} dense column, ${r.oneHotCols} one-hot columns),`,
    `in the coordinator page's main thread. Bytes per pass = dense float32 + one-hot int32 + target float64 = ${r.bytesPerPass.toLocaleString('en-US')} bytes`,
    `(${(r.bytesPerPass / r.rows).toFixed(0)} per row). Copy bandwidth: \`Uint8Array.set\` of ${(r.copyBytes / 1048576).toFixed(0)} MiB, median, ${(r.copyBytesPerSecond / 1e9).toFixed(1)} GB/s copied.`,
    `Kernels run round-robin, ${r.timings[0]?.ms.length ?? 0} timed passes each after warm-ups. Over the whole measurement the main thread was on a CPU for`,
    `${f((100 * res.rooflineCpu.threadS) / res.rooflineCpu.wallS, 0)}% of the wall time (the machine: ${f(res.rooflineCpu.machineCores, 2)} cores busy of 2)${res.rooflineCpu.threadS / res.rooflineCpu.wallS < 0.95 ? ', so the medians include time spent descheduled and the min column is the cleaner figure' : ''}.`,
    `\`naive\` is the baseline (bench/train-kernels.ts:`,
    '`naiveLossGrad`, row-major copy of the same data); `one-pass` is a sketch of a faster Fabric kernel for this',
    'shape (`onePassLossGrad`), measured here to size the fix proposed in the findings.',
    '',
    ...rooflineDetails(r),
    '',
  ].join('\n');
}
