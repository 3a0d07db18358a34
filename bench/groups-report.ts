/**
 * Turns what bench/groups.ts measured into the markdown it prints and writes to
 * bench/results/groups.md: the summary table (Fabric with 2 slots against the sequential loop of
 * the same run, the target), the details of every workload and way, the packing comparison, the
 * result checks, and findings computed from the numbers.
 */
import { runInfoLines, type RunInfo } from './harness.ts';
import type { CeilingRun, FitRun, GroupOutcomes, StageTimes } from './groups-page.ts';

/** Groups/s with 2 slots should be at least this many times the sequential loop's (on this 2-core machine). */
export const SCALING_TARGET = 1.6;
/** Largest relative difference between a coefficient of Fabric and of the sequential loop that counts as equal. */
export const COEFFICIENT_TOLERANCE = 1e-9;

/** The ways every group is fitted. */
export type WayId = 'sequential' | 'one' | 'two';

const WAY_LABEL: Record<WayId, string> = { sequential: 'sequential loop, 1 thread', one: 'Fabric, 1 local slot', two: 'Fabric, 2 local slots' };

/** One fit as the report reads it: the page's figures and the CPU over the call. */
export interface MeasuredRun extends Omit<FitRun, 'outcomes'> {
  /** Times the fit was run again because other jobs took CPU during it (the least disturbed try is kept). */
  readonly reruns: number;
  /** CPU seconds of the page's renderer (main thread and workers) per wall second of the fit. */
  readonly rendererCores: number;
  /** The whole machine's busy cores over the fit (/proc; NaN elsewhere), of `cores`. */
  readonly machineCores: number;
  /** The machine less this benchmark's process tree (Node, Vite, all of Chromium): other jobs. */
  readonly otherCores: number;
  /** Waiting for a quiet machine before the fit, ms (not timed). */
  readonly quietWaitMs: number;
}

/** Fabric's results against the sequential loop's, group by group. */
export interface OutcomeCheck {
  readonly groups: number;
  readonly keyMismatches: number;
  readonly statusMismatches: number;
  /** Coefficients off by more than {@link COEFFICIENT_TOLERANCE} relative, or null on one side only. */
  readonly coefficientMismatches: number;
  readonly maxRelDiff: number;
}

/** The runs of one way on one variant. */
export interface WayRuns {
  readonly way: WayId;
  /** The first fit on the page (shuffle worker and slot code cold); not counted. */
  readonly cold: MeasuredRun;
  readonly rounds: MeasuredRun[];
  /** One per Fabric run, cold included; none for the sequential loop (it is the reference). */
  readonly checks: OutcomeCheck[];
}

/** The per-group loop on 1 and 2 plain Web Workers, with the CPU other jobs took meanwhile. */
export interface CeilingResult extends CeilingRun {
  readonly otherCores: number;
}

/** One variant (model and packing) of a workload. */
export interface VariantResults {
  readonly id: string;
  readonly label: string;
  readonly headline: boolean;
  /** The variant whose sequential loop this one is compared with (itself when it runs one). */
  readonly reference?: string | undefined;
  readonly packing?: { readonly targetRowsPerTask?: number; readonly maxGroupsPerTask?: number } | undefined;
  readonly ways: WayRuns[];
  /** One per round (the cold run not counted); none without a sequential way. */
  readonly ceilings: CeilingResult[];
  /** Fabric's stages timed one by one for a 2-slot plan. */
  readonly stages?: StageTimes | undefined;
}

/** One dataset and its variants. */
export interface WorkloadResults {
  readonly id: string;
  readonly label: string;
  readonly dataset: string;
  readonly rows: number;
  readonly partitions: number;
  readonly variants: VariantResults[];
}

/** Everything the report states besides the measurements. */
export interface GroupsReportInfo extends RunInfo {
  readonly rounds: number;
  readonly quick: boolean;
  /** The quiet rule of bench/groups.ts: busy cores, longest wait, reruns of a disturbed fit. */
  readonly quiet: { readonly cores: number; readonly maxWaitS: number; readonly maxReruns: number; readonly budgetS: number; readonly spentS: number };
}

/** Compares Fabric's outcomes with the reference's, group by group, in key order. */
export function compareOutcomes(ref: GroupOutcomes, got: GroupOutcomes): OutcomeCheck {
  let keyMismatches = Math.abs(ref.keys.length - got.keys.length);
  let statusMismatches = 0;
  let coefficientMismatches = 0;
  let maxRelDiff = 0;
  const groups = Math.min(ref.keys.length, got.keys.length);
  if (ref.p !== got.p) return { groups, keyMismatches, statusMismatches: groups, coefficientMismatches: groups * Math.max(ref.p, got.p), maxRelDiff: Infinity };
  for (let g = 0; g < groups; g++) {
    if (ref.keys[g] !== got.keys[g]) keyMismatches++;
    if (ref.statuses[g] !== got.statuses[g]) statusMismatches++;
    for (let c = g * ref.p; c < (g + 1) * ref.p; c++) {
      const a = ref.coefficients[c] ?? null;
      const b = got.coefficients[c] ?? null;
      if (a === null && b === null) continue;
      if (a === null || b === null) {
        coefficientMismatches++;
        continue;
      }
      const rel = a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
      maxRelDiff = Math.max(maxRelDiff, rel);
      if (!(rel <= COEFFICIENT_TOLERANCE)) coefficientMismatches++;
    }
  }
  return { groups, keyMismatches, statusMismatches, coefficientMismatches, maxRelDiff };
}

/** The middle value (mean of the two middle values for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Medians over the rounds of one way. */
export interface WaySummary {
  readonly way: WayId;
  readonly groups: number;
  readonly rows: number;
  readonly wallMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly groupsPerS: number;
  readonly shuffleMs: number;
  readonly tasks: number;
  readonly fitMsSum: number;
  readonly designMs: number;
  readonly taskMsSum: number;
  readonly rendererCores: number;
  /** CPU seconds of the page's renderer (main thread and workers) per fit. */
  readonly cpuS: number;
  readonly otherCores: number;
  /** Fits run again over the rounds because other jobs took CPU during them. */
  readonly reruns: number;
  readonly coldMs: number;
  /** Every check passed (true for the sequential loop, the reference). */
  readonly equal: boolean;
  readonly maxRelDiff: number;
}

/** The summary of `way` on `v`, or undefined when the variant does not run it. */
export function summarizeWay(v: VariantResults, way: WayId): WaySummary | undefined {
  const w = v.ways.find((x) => x.way === way);
  if (!w || w.rounds.length === 0) return undefined;
  const m = (f: (r: MeasuredRun) => number): number => median(w.rounds.map(f));
  const walls = w.rounds.map((r) => r.wallMs);
  const wallMs = median(walls);
  return {
    way, groups: w.rounds[0]!.groups, rows: w.rounds[0]!.rows, wallMs, minMs: Math.min(...walls), maxMs: Math.max(...walls),
    groupsPerS: w.rounds[0]!.groups / (wallMs / 1000), shuffleMs: m((r) => r.shuffleMs), tasks: m((r) => r.tasks),
    fitMsSum: m((r) => r.fitMsSum), designMs: m((r) => r.designMs), taskMsSum: m((r) => r.taskMsSum),
    rendererCores: m((r) => r.rendererCores), cpuS: m((r) => (r.rendererCores * r.wallMs) / 1000), otherCores: m((r) => r.otherCores),
    reruns: w.rounds.reduce((n, r) => n + r.reruns, 0), coldMs: w.cold.wallMs,
    equal: w.checks.every((c) => c.keyMismatches === 0 && c.statusMismatches === 0 && c.coefficientMismatches === 0),
    maxRelDiff: w.checks.reduce((mx, c) => Math.max(mx, c.maxRelDiff), 0),
  };
}

const s1 = (ms: number): string => (ms / 1000).toFixed(2);
const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const x2 = (r: number): string => `${r.toFixed(2)}x`;

/** Per-round 2-slot ratios: each round's sequential wall over the same round's 2-slot wall. */
function roundRatios(v: VariantResults): number[] {
  const seq = v.ways.find((w) => w.way === 'sequential')?.rounds ?? [];
  const two = v.ways.find((w) => w.way === 'two')?.rounds ?? [];
  return seq.slice(0, two.length).map((s, i) => s.wallMs / two[i]!.wallMs);
}

function summaryTable(results: readonly WorkloadResults[]): string[] {
  const lines = [
    '| workload | Fabric, 2 local slots (groups/s) | sequential loop, same run (groups/s) | ratio | target | met | for reference: the loop on 2 plain workers vs 1 (no grouping, no Fabric) |',
    '| --- | ---: | ---: | ---: | --- | --- | ---: |',
  ];
  for (const { w, v, seq, two, ratio } of scalingLines(results)) {
    {
      const target = v.headline ? `>= ${SCALING_TARGET}x` : 'secondary';
      const met = v.headline ? (ratio >= SCALING_TARGET ? 'met' : '**not met**') : '-';
      const c = summarizeCeiling(v);
      lines.push(`| ${w.id}: ${w.label}, ${v.label} (median of ${v.ways[0]!.rounds.length}) | ${two.groupsPerS.toFixed(1)} | ${seq.groupsPerS.toFixed(1)} | ${x2(ratio)} | ${target} | ${met} | ${c ? x2(c.ratio) : '-'} |`);
    }
  }
  return lines;
}

function detailTable(w: WorkloadResults): string[] {
  const lines = [
    '| variant | way | wall s, median (min-max) | groups/s | ratio vs sequential | tasks | shuffle ms | fit ms, sum over groups | design ms (sequential) | task ms, sum (start to commit) | renderer CPU s | renderer cores | other jobs, cores | cold run s | results equal to sequential (largest rel. diff) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const v of w.variants) {
    const ref = w.variants.find((o) => o.id === (v.reference ?? v.id));
    const seq = ref && summarizeWay(ref, 'sequential');
    for (const way of ['sequential', 'one', 'two'] as const) {
      const s = summarizeWay(v, way);
      if (!s) continue;
      const ratio = seq ? seq.wallMs / s.wallMs : NaN;
      const check = way === 'sequential' ? 'reference' : `${s.equal ? 'yes' : '**no**'} (${s.maxRelDiff.toExponential(1)})`;
      lines.push(`| ${v.id} | ${WAY_LABEL[way]} | ${s1(s.wallMs)} (${s1(s.minMs)}-${s1(s.maxMs)}) | ${s.groupsPerS.toFixed(1)} | ${x2(ratio)} | ${way === 'sequential' ? '-' : int(s.tasks)} | ${int(s.shuffleMs)} | ${int(s.fitMsSum)} | ${way === 'sequential' ? int(s.designMs) : '-'} | ${way === 'sequential' ? '-' : int(s.taskMsSum)} | ${s.cpuS.toFixed(2)} | ${s.rendererCores.toFixed(2)} | ${Math.max(0, s.otherCores).toFixed(2)}${s.reruns > 0 ? ` (${s.reruns} rerun${s.reruns > 1 ? 's' : ''})` : ''} | ${s1(s.coldMs)} | ${check} |`);
    }
  }
  return lines;
}

function diagnosisTable(w: WorkloadResults): string[] {
  const rows = w.variants.filter((v) => v.ceilings.length > 0 || v.stages);
  if (rows.length === 0) return [];
  const lines = [
    '| variant | plain workers: 1 worker, s | 2 workers, s | ratio (this machine\'s ceiling) | groupByKey ms | shuffleIntoBatches ms | of it, writing batches ms | batches | batch MiB | SHA-256 of batches ms (done twice) | decode ms | designs, batched per task ms | designs, per group ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const v of rows) {
    const c = summarizeCeiling(v);
    const st = v.stages;
    const cells = c ? [s1(c.oneMs), s1(c.twoMs), x2(c.ratio)] : ['-', '-', '-'];
    const stageCells = st
      ? [int(st.groupByKeyMs), int(st.shuffleIntoBatchesMs), int(st.writeMs), int(st.batches), (st.batchBytes / 2 ** 20).toFixed(1), int(st.hashMs), int(st.decodeMs), int(st.batchedDesignMs), int(st.perGroupDesignMs)]
      : ['-', '-', '-', '-', '-', '-', '-', '-', '-'];
    lines.push(`| ${v.id} | ${[...cells, ...stageCells].join(' | ')} |`);
  }
  return lines;
}

function checksParagraph(results: readonly WorkloadResults[]): string {
  const parts: string[] = [];
  let allEqual = true;
  for (const w of results) {
    for (const v of w.variants) {
      for (const way of v.ways) {
        if (way.way === 'sequential') continue;
        const runs = way.checks.length;
        const bad = way.checks.filter((c) => c.keyMismatches + c.statusMismatches + c.coefficientMismatches > 0);
        const maxRel = way.checks.reduce((m, c) => Math.max(m, c.maxRelDiff), 0);
        allEqual &&= bad.length === 0;
        const detail = bad.length === 0 ? 'all equal' : `${bad.length} differ (first: ${bad[0]!.keyMismatches} keys, ${bad[0]!.statusMismatches} statuses, ${bad[0]!.coefficientMismatches} coefficients)`;
        parts.push(`${v.id} ${WAY_LABEL[way.way]}: ${runs} runs of ${way.checks[0]?.groups ?? 0} groups, ${detail}, largest relative difference ${maxRel.toExponential(1)}`);
      }
    }
  }
  return `**Results check${allEqual ? ': every Fabric run equals the sequential loop' : ': Fabric and the sequential loop DIFFER'}** (same keys in the same order, same statuses, every coefficient within ${COEFFICIENT_TOLERANCE} relative or null on both sides). ${parts.join('; ')}.`;
}

/** Where the 2-slot wall time goes, against the sequential loop's, for one variant. */
function timeSplit(v: VariantResults): string | undefined {
  const seq = summarizeWay(v, 'sequential');
  const one = summarizeWay(v, 'one');
  const two = summarizeWay(v, 'two');
  if (!seq || !two || !one) return undefined;
  const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(0)}%`;
  const seqWork = seq.wallMs - seq.shuffleMs;
  const after = two.wallMs - two.shuffleMs;
  return `**${v.id}** (${v.label}). The sequential loop took ${s1(seq.wallMs)} s: grouping (\`groupByKey\`) ${int(seq.shuffleMs)} ms (${pct(seq.shuffleMs, seq.wallMs)}), building designs ${int(seq.designMs)} ms (${pct(seq.designMs, seq.wallMs)}), fitting ${int(seq.fitMsSum)} ms (${pct(seq.fitMsSum, seq.wallMs)}). `
    + `Fabric with 2 slots took ${s1(two.wallMs)} s: its shuffle ${int(two.shuffleMs)} ms (${pct(two.shuffleMs, two.wallMs)}; ${x2(two.shuffleMs / seq.shuffleMs)} the loop's grouping), then ${int(after)} ms for ${int(two.tasks)} tasks, `
    + `against ${int(seqWork / 2)} ms were the loop's per-group work (designs and fits) split evenly over 2 slots. The slots' fits summed to ${int(two.fitMsSum)} ms (\`fitMs\`; 1 slot ${int(one.fitMsSum)}, the loop ${int(seq.fitMsSum)}): with both slots busy each fit took ${x2(two.fitMsSum / one.fitMsSum)} as long as with one. `
    + `With 1 slot: ${s1(one.wallMs)} s (${x2(seq.wallMs / one.wallMs)} the loop's speed; 2 slots over 1: ${x2(one.wallMs / two.wallMs)}). `
    + `CPU per fit (the page's renderer, workers included): 2 slots ${two.cpuS.toFixed(1)} s, 1 slot ${one.cpuS.toFixed(1)} s, the loop ${seq.cpuS.toFixed(1)} s; during the 2-slot fits the renderer kept ${two.rendererCores.toFixed(2)} cores busy and other jobs ${Math.max(0, two.otherCores).toFixed(2)}, while the 1-thread loop's page kept ${seq.rendererCores.toFixed(2)} busy: the page has no other work, so the excess is V8's background threads (garbage collection, compilation) working beside the loop on the second core, which 2 busy slots leave them no room for (medians).`
    + ceilingSentence(v, seq, two) + stagesSentence(v, two);
}

/** Medians of the plain-worker runs, or undefined without any. */
export function summarizeCeiling(v: VariantResults): { oneMs: number; twoMs: number; ratio: number; otherCores: number } | undefined {
  if (v.ceilings.length === 0) return undefined;
  const oneMs = median(v.ceilings.map((c) => c.oneMs));
  const twoMs = median(v.ceilings.map((c) => c.twoMs));
  return { oneMs, twoMs, ratio: median(v.ceilings.map((c) => c.oneMs / c.twoMs)), otherCores: median(v.ceilings.map((c) => c.otherCores)) };
}

function ceilingSentence(v: VariantResults, seq: WaySummary, two: WaySummary): string {
  const c = summarizeCeiling(v);
  if (!c) return '';
  const fabricRatio = seq.wallMs / two.wallMs;
  const perfect = seq.wallMs / (two.shuffleMs + (seq.wallMs - seq.shuffleMs) / 2);
  // Fabric's serial part ahead of the plain workers' 2-thread time: its shuffle, and hashing every batch before the first task goes out.
  const serialMs = two.shuffleMs + (v.stages?.hashMs ?? 0);
  const bound = seq.wallMs / (serialMs + c.twoMs);
  return ` The same per-group loop (designs and fits, no grouping) on plain Web Workers took ${s1(c.oneMs)} s on 1 worker and ${s1(c.twoMs)} s on 2 (groups split by rows): this machine gives ${x2(c.ratio)} on this work with no Fabric at all. `
    + `Bounds for the 2-slot ratio: ${x2(perfect)} were the loop's per-group work split perfectly after Fabric's shuffle; ${x2(bound)} with Fabric's serial part (shuffle, then ${v.stages ? 'hashing every batch before the first task' : 'dispatch'}: about ${int(serialMs)} ms) ahead of the plain workers' 2-thread time; measured ${x2(fabricRatio)}, ${((100 * fabricRatio) / bound).toFixed(0)}% of the second bound.`;
}

function stagesSentence(v: VariantResults, two: WaySummary): string {
  const st = v.stages;
  if (!st) return '';
  return ` Fabric's stages timed one by one in one thread: \`groupByKey\` ${int(st.groupByKeyMs)} ms; the shuffle worker's whole job (\`shuffleIntoBatches\`: grouping in task order, then ${int(st.batches)} Arrow IPC batches, ${(st.batchBytes / 2 ** 20).toFixed(0)} MiB) ${int(st.shuffleIntoBatchesMs)} ms, of which writing the batches ${int(st.writeMs)} ms; `
    + `the measured shuffle (${int(two.shuffleMs)} ms) adds the worker round trip; SHA-256 of the batches ${int(st.hashMs)} ms, done twice (\`ArtifactStore.put\` on the page, the slot's check); decoding them ${int(st.decodeMs)} ms; `
    + `building designs batched per task ${int(st.batchedDesignMs)} ms against ${int(st.perGroupDesignMs)} ms one group at a time.`;
}

function packingParagraph(results: readonly WorkloadResults[]): string | undefined {
  for (const w of results) {
    const single = w.variants.find((v) => v.packing?.maxGroupsPerTask === 1);
    const packed = w.variants.find((v) => v.headline && !v.packing);
    const a = packed && summarizeWay(packed, 'two');
    const b = single && summarizeWay(single, 'two');
    if (!a || !b) continue;
    const perTask = (b.wallMs - a.wallMs) / (b.tasks - a.tasks);
    const shufflePerTask = (b.shuffleMs - a.shuffleMs) / (b.tasks - a.tasks);
    return `**Packing (${w.id}, 2 slots).** Default packing made ${int(a.tasks)} tasks and fitted ${a.groupsPerS.toFixed(0)} groups/s (${s1(a.wallMs)} s); one task per group made ${int(b.tasks)} tasks and fitted ${b.groupsPerS.toFixed(0)} groups/s (${s1(b.wallMs)} s), ${x2(a.groupsPerS / b.groupsPerS)} slower. `
      + `Each extra task cost ${perTask.toFixed(2)} ms of wall time, ${shufflePerTask.toFixed(2)} ms of it in the shuffle (one Arrow IPC stream written per task) and the rest in the round trip (artifact hashed and stored, copied to the slot and hashed again there, task message, result checked and committed). `
      + `Sum of task times (start to commit) ${int(b.taskMsSum)} ms against ${int(a.taskMsSum)} ms packed.`;
  }
  return undefined;
}

/** Each variant measured both sequentially and on two slots, with its 2-slot ratio. */
function* scalingLines(results: readonly WorkloadResults[]) {
  for (const w of results) {
    for (const v of w.variants) {
      const seq = summarizeWay(v, 'sequential');
      const two = summarizeWay(v, 'two');
      if (seq && two) yield { w, v, seq, two, ratio: two.groupsPerS / seq.groupsPerS };
    }
  }
}

function headlineParagraph(results: readonly WorkloadResults[]): string {
  const lines: string[] = [];
  for (const { v, ratio } of scalingLines(results)) {
    {
      const verdict = v.headline ? (ratio >= SCALING_TARGET ? `meets the ${SCALING_TARGET}x target` : `misses the ${SCALING_TARGET}x target`) : 'secondary line, no target';
      lines.push(`${v.id} ${x2(ratio)} (${verdict}; per round ${roundRatios(v).map((r) => r.toFixed(2)).join(', ')})`);
    }
  }
  return `**2 slots against the sequential loop:** ${lines.join('; ')}.`;
}

function contentionParagraph(results: readonly WorkloadResults[], info: GroupsReportInfo): string {
  const runs = results.flatMap((w) => w.variants.flatMap((v) => v.ways.flatMap((x) => x.rounds)));
  const all = results.flatMap((w) => w.variants.flatMap((v) => v.ways.flatMap((x) => [x.cold, ...x.rounds])));
  const other = runs.map((r) => r.otherCores);
  const disturbed = runs.filter((r) => r.otherCores > info.quiet.cores).length;
  const reruns = all.reduce((n, r) => n + r.reruns, 0);
  const ceilingOther = results.flatMap((w) => w.variants.flatMap((v) => v.ceilings.map((c) => c.otherCores)));
  return `**Other jobs on the machine.** During the ${runs.length} counted fits, other processes took a median ${Math.max(0, median(other)).toFixed(2)} cores (largest ${Math.max(0, ...other).toFixed(2)}) of ${info.cores}, and ${Math.max(0, median(ceilingOther)).toFixed(2)} during the plain-worker runs; `
    + `${disturbed} of the fits ran beside more than ${info.quiet.cores} cores of them. The benchmark measured ${reruns} fit(s) again (cold ones included) and waited ${info.quiet.spentS.toFixed(0)} s in all for a quiet machine. `
    + 'A 2-slot fit needs both cores: each core another job takes comes straight out of the 2-slot figure and hardly touches the 1-thread loop.';
}

/** The findings the numbers support. */
export function deriveFindings(results: readonly WorkloadResults[], info: GroupsReportInfo): string[] {
  const out = [headlineParagraph(results), contentionParagraph(results, info)];
  for (const w of results) for (const v of w.variants) {
    const t = timeSplit(v);
    if (t) out.push(t);
  }
  const packing = packingParagraph(results);
  if (packing) out.push(packing);
  out.push(checksParagraph(results));
  return out;
}

/** The whole results file. */
export function renderGroupsReport(results: readonly WorkloadResults[], info: GroupsReportInfo): string {
  const out = [
    '# fitGroups benchmark',
    '',
    'Written by `npm run bench:groups` (bench/groups.ts). One headless Chromium, the Fabric server in',
    'process. Each way runs in its own page (bench/groups.html): Fabric with 2 local slots and with 1',
    '(a coordinator without the dashboard, fitting through `fabric.groupBy(key).fit`), and a plain',
    'sequential loop over the groups in key order on one thread with the functions a slot runs',
    '(`groupByKey`, then per group `buildGroupDesign`, `gramCpu` and `fitGroupRows`). Every way starts',
    'from the partitions in memory and stops at every group\'s result: Fabric\'s time is the whole',
    '`fit` call, shuffle included. Each page fits once cold (not counted), then once per round,',
    'the ways in a rotating order. Compare ratios, not absolute figures: this is a shared machine',
    '(load averages below).',
    '',
    info.quick
      ? 'This is a --quick run: smaller data, one round, no waiting for a quiet machine.'
      : `Before each fit the benchmark waits (up to ${info.quiet.maxWaitS} s) until the whole machine has been under ${info.quiet.cores} busy cores for a second, and runs a fit again (up to ${info.quiet.maxReruns} times, keeping the least disturbed try) when other jobs took more than ${info.quiet.cores} cores during it, until waiting has taken ${info.quiet.budgetS} s in all (this run: ${info.quiet.spentS.toFixed(0)} s).`,
    '',
    `- Date: ${info.date}`,
    ...runInfoLines(info),
    `- Rounds: ${info.rounds}${info.quick ? ' (--quick)' : ''}; run time ${info.runSeconds.toFixed(0)} s`,
    '',
    ...summaryTable(results),
    '',
    '## Findings',
    '',
    ...deriveFindings(results, info).flatMap((p) => [p, '']),
  ];
  for (const w of results) {
    out.push(`## ${w.id}. ${w.label}`, '', `${w.dataset}: ${int(w.rows)} rows in ${w.partitions} partitions.`, '');
    for (const v of w.variants) out.push(`- ${v.id}: ${v.label}`);
    out.push('', ...detailTable(w), '');
    const diagnosis = diagnosisTable(w);
    if (diagnosis.length > 0) out.push('Diagnosis (median of the rounds; stages: the least of a few passes, 2-slot plan, in the sequential page\'s thread):', '', ...diagnosis, '');
  }
  out.push(
    '## Columns',
    '',
    '- wall: from the call to every group\'s result, measured in the page; groups/s = groups / median wall.',
    '- ratio vs sequential: the sequential loop\'s median wall over this way\'s (the same groups, so the groups/s ratio).',
    '- shuffle ms: Fabric\'s `shuffleMs` (grouping in its shuffle worker and writing each task\'s batch as Arrow IPC, until the batches are back on the page); for the sequential loop, `groupByKey` alone.',
    '- fit ms: per-group fit times summed (Fabric\'s `fitMs`: on the slot, Gram share included; the sequential loop: Gram, solve or IRLS). Design ms: the sequential loop\'s `buildGroupDesign` calls, summed; in Fabric it happens inside each task.',
    '- task ms: start to commit of each task, summed (`fabric.on(\'task\')`): slot time plus transfer and queueing.',
    '- plain workers: the sequential loop\'s per-group work (designs and fits, after grouping) on 1 Web Worker, then split by rows over 2 at once, with no Fabric: what this machine gives on the work itself.',
    '- stages: Fabric\'s pipeline timed one step at a time in one thread (src functions called directly): the shuffle worker\'s `shuffleIntoBatches`, the SHA-256 of every batch (`ArtifactStore.put`, and again on the slot), `tableFromIPC` of each batch, and `buildGroupDesign` per task against per group.',
    '- renderer CPU s: CPU seconds of the page\'s renderer (main thread and its workers) over the fit; less sensitive to other jobs than wall time.',
    '- renderer cores: the page\'s renderer CPU (main thread and workers; Chromium `Performance.getMetrics` ProcessTime) per wall second; other jobs: /proc, the whole machine less this benchmark\'s processes (Node, Vite, all of Chromium).',
    '',
  );
  return out.join('\n');
}
