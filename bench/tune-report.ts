/**
 * Turns the three parts of bench/tune.ts into the markdown it prints and writes to
 * bench/results/tune.md: a summary table of ratios measured side by side, a section per part, and
 * where the time of a parallel run goes.
 */
import { runInfoLines, type RunInfo } from './harness.ts';
import type { ParallelAtK, TuneRun } from './tune-parallel.ts';
import { quantile, toTargetQuartiles, type ParallelQualityResult, type TargetShare, type ToTargetResult } from './tune-search.ts';

/** SparkTrials-style parallelism should keep this share of the ideal at k = 8 (the feature's target). */
export const EFFICIENCY_TARGET = 0.9;

/** What the report states besides the measurements. */
export interface TuneReportInfo extends RunInfo {
  readonly quick: boolean;
  readonly seeds: number;
  readonly cap: number;
  readonly qualityEvals: number;
}

/** Everything measured. */
export interface TuneResults {
  readonly toTarget: readonly ToTargetResult[];
  readonly shares: readonly TargetShare[];
  readonly parallel: readonly ParallelAtK[];
  readonly quality: readonly ParallelQualityResult[];
}

/** Where one run's slot-time went: the three shares add up to 1. */
export interface RunBreakdown {
  readonly ideal: number;
  readonly efficiency: number;
  /** Share of k × wall spent inside trials beyond the sleep: scheduler, link both ways, volunteer relay, worker. */
  readonly inTrialShare: number;
  /** Share of k × wall with a slot between trials: suggestion, launch, ramp-up and the last wave's stragglers. */
  readonly betweenShare: number;
  readonly trialOverheadMedian: number;
  readonly trialOverheadP90: number;
  readonly suggestMedian: number;
  readonly suggestMax: number;
  readonly suggestTotal: number;
  /** Median of the slot's own time per trial, less the sleep: the worker's share of the overhead. */
  readonly slotOverheadMedian: number;
  /** Median trial time less median slot time: coordinator, link both ways and the volunteer's relay. */
  readonly outsideSlotMedian: number;
  readonly perNode: readonly number[];
}

/** Splits a run's k × wall slot-milliseconds into the sleep itself, time in trials beyond it, and time between trials. */
export function breakdown(run: TuneRun, k: number): RunBreakdown {
  const slotMs = k * run.wallMs;
  const inTrials = run.trials.reduce((s, t) => s + t.ms, 0);
  const overheads = run.trials.map((t) => t.ms - run.waitMs);
  const ideal = (run.maxEvals * run.waitMs) / k;
  return {
    ideal,
    efficiency: ideal / run.wallMs,
    inTrialShare: (inTrials - run.maxEvals * run.waitMs) / slotMs,
    betweenShare: (slotMs - inTrials) / slotMs,
    trialOverheadMedian: quantile(overheads, 0.5),
    trialOverheadP90: quantile(overheads, 0.9),
    suggestMedian: quantile(run.suggestMs, 0.5),
    suggestMax: Math.max(...run.suggestMs),
    suggestTotal: run.suggestMs.reduce((s, v) => s + v, 0),
    slotOverheadMedian: quantile(run.slotMs, 0.5) - run.waitMs,
    outsideSlotMedian: quantile(run.trials.map((t) => t.ms), 0.5) - quantile(run.slotMs, 0.5),
    perNode: Object.values(run.trialsByNode).sort((a, b) => b - a),
  };
}

/** The last k measured with join.html volunteers, and the same k with bare volunteers when measured. */
export function lastK(r: TuneResults): { last: ParallelAtK | undefined; bare: ParallelAtK | undefined } {
  return { last: r.parallel.filter((p) => !p.bare).at(-1), bare: r.parallel.find((p) => p.bare) };
}

/** The run of `algo` with the median efficiency (the lower middle one for an even count). */
export function medianRun(p: ParallelAtK, algo: TuneRun['algo']): TuneRun | undefined {
  const runs = p.runs.filter((r) => r.algo === algo).sort((a, b) => b.wallMs - a.wallMs);
  return runs[Math.floor((runs.length - 1) / 2)];
}

const evals = (v: number, cap: number): string => (Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : `> ${cap}`);
const f3 = (v: number): string => v.toFixed(3);
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

function find<T extends { fn: string }>(xs: readonly T[], fn: string, pick: (x: T) => boolean): T | undefined {
  return xs.find((x) => x.fn === fn && pick(x));
}

/** Median evaluations-to-target, random over TPE; a lower bound when random's median is past the cap. */
function toTargetRatio(tpe: ToTargetResult, random: ToTargetResult): string {
  const t = toTargetQuartiles(tpe).median;
  const r = toTargetQuartiles(random).median;
  if (!Number.isFinite(t)) return 'n/a (TPE median > cap)';
  return Number.isFinite(r) ? `${(r / t).toFixed(2)}x` : `> ${(random.cap / t).toFixed(2)}x`;
}

/** Random search's median from the share of the box at the target, over TPE's measured median. */
function shareRatio(tpe: ToTargetResult, share: TargetShare | undefined): string {
  const t = toTargetQuartiles(tpe).median;
  return share && Number.isFinite(t) && Number.isFinite(share.randomMedian) ? `${(share.randomMedian / t).toFixed(2)}x` : 'n/a';
}

function settingLabel(q: ParallelQualityResult): string {
  const s = q.setting;
  return s.algo === 'random' ? 'random, k = 1' : `TPE, k = ${s.parallelism}, liar '${s.liar}'`;
}

function summaryRows(r: TuneResults, info: TuneReportInfo): string[] {
  const rows: string[] = [];
  for (const fn of [...new Set(r.toTarget.map((t) => t.fn))]) {
    const tpe = find(r.toTarget, fn, (t) => t.algo === 'tpe')!;
    const random = find(r.toTarget, fn, (t) => t.algo === 'random')!;
    const share = r.shares.find((x) => x.fn === fn);
    const qt = toTargetQuartiles(tpe);
    const qr = toTargetQuartiles(random);
    const expected = share ? `; ${share.randomMedian} from the share of the box at the target` : '';
    rows.push(`| Evaluations to ${fn} ≤ ${tpe.target} (median of ${info.seeds} seeds, sequential, cap ${info.cap}) | TPE: ${evals(qt.median, info.cap)} | random: ${evals(qr.median, info.cap)} measured (${qr.missed} of ${info.seeds} runs past the cap)${expected} | ${toTargetRatio(tpe, random)} measured; ${shareRatio(tpe, share)} from the share | TPE fewer (> 1x) | ${Number.isFinite(qt.median) && !(qr.median <= qt.median) ? 'met' : '**not met**'} |`);
  }
  const { last, bare } = lastK(r);
  if (last) {
    for (const algo of ['random', 'tpe'] as const) {
      const run = medianRun(last, algo);
      if (!run) continue;
      const b = breakdown(run, last.k);
      const all = last.runs.filter((x) => x.algo === algo).map((x) => f3(breakdown(x, last.k).efficiency));
      rows.push(`| Parallel efficiency, ${algo}, k = ${last.k} slots on ${last.tabs} volunteer tabs, ${run.maxEvals} trials of ${run.waitMs} ms (median of ${all.length} rounds: ${all.join(', ')}) | wall ${(run.wallMs / 1000).toFixed(2)} s | ideal ${(b.ideal / 1000).toFixed(2)} s | ${f3(b.efficiency)} | ≥ ${EFFICIENCY_TARGET} | ${b.efficiency >= EFFICIENCY_TARGET ? 'met' : '**not met**'} |`);
      const bareRun = bare && medianRun(bare, algo);
      if (bareRun) {
        const e = breakdown(bareRun, bare.k).efficiency;
        rows.push(`| Same, ${algo}, volunteers joined by \`Volunteer.join\` in a page without the status panel (diagnosis) | ${f3(e)}; volunteers' main thread ${bareRun.mainThreadMs.volunteers.toFixed(2)} ms a trial | join.html volunteers: ${f3(b.efficiency)}; ${run.mainThreadMs.volunteers.toFixed(2)} ms a trial | ${(e / b.efficiency).toFixed(3)}x | reference | - |`);
      }
    }
  }
  for (const fn of [...new Set(r.quality.map((q) => q.fn))]) {
    const one = find(r.quality, fn, (q) => q.setting.algo === 'tpe' && q.setting.parallelism === 1);
    const eight = find(r.quality, fn, (q) => q.setting.algo === 'tpe' && q.setting.parallelism > 1 && q.setting.liar === 'max');
    if (!one || !eight) continue;
    const m1 = quantile(one.best, 0.5) - one.minimum;
    const m8 = quantile(eight.best, 0.5) - eight.minimum;
    rows.push(`| ${fn}: best loss − minimum after ${info.qualityEvals} evaluations (median of ${info.seeds} seeds) | TPE k = ${eight.setting.parallelism}, liar 'max': ${f3(m8)} | TPE k = 1: ${f3(m1)} | ${(m8 / m1).toFixed(2)}x | reference | - |`);
  }
  return rows;
}

function toTargetSection(r: TuneResults, info: TuneReportInfo): string[] {
  const lines = [
    `## 1. Evaluations to a target, TPE against random search`,
    '',
    `Sequential (parallelism 1), seeds 1…${info.seeds}, at most ${info.cap} evaluations per run; a run that never reaches the target counts as "> ${info.cap}", so a quartile that falls on such runs reads "> ${info.cap}". Pure Node: \`simulateParallelSearch\` with hyperopt's TPE defaults (20 start-up draws, 24 EI candidates, γ 0.25).`,
    '',
    '| function | target | algorithm | 25% | median | 75% | runs > cap | random/TPE (medians) | suggestion time |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const t of r.toTarget) {
    const q = toTargetQuartiles(t);
    const other = find(r.toTarget, t.fn, (x) => x.algo !== t.algo)!;
    const ratio = t.algo === 'tpe' ? toTargetRatio(t, other) : '';
    lines.push(`| ${t.fn} | ≤ ${t.target} | ${t.algo} | ${evals(q.q25, t.cap)} | ${evals(q.median, t.cap)} | ${evals(q.q75, t.cap)} | ${q.missed} of ${t.runs.length} | ${ratio} | ${(t.ms / t.runs.length).toFixed(0)} ms per run |`);
  }
  lines.push('', 'Random search draws independently, so its evaluations to a target are geometric, with the per-draw chance of landing at or below it; that chance, estimated from prior draws (seed 0x5eed, none of the runs\' seeds), gives its median without a cap:', '');
  for (const sh of r.shares) lines.push(`- ${sh.fn}: ${sh.hits} of ${sh.draws.toLocaleString('en-US')} draws at or below the target (${(100 * sh.share).toFixed(4)}% of the box), median ${sh.randomMedian} evaluations`);
  lines.push('', 'Per seed (evaluations to the target, "-" for none within the cap):', '');
  for (const t of r.toTarget) lines.push(`- ${t.fn}, ${t.algo}: ${t.runs.map((x) => x.evaluations ?? '-').join(' ')}`);
  return lines;
}

function parallelSection(r: TuneResults): string[] {
  const lines = [
    '## 2. Parallel efficiency in real browsers',
    '',
    'Coordinator: bench/train.html?slots=0&dataset=none (no local slots, no dashboard). Volunteers: join.html tabs, each in its own browser context, over WebRTC through the in-process PeerServer, fresh for every k. Objective `wait` (sleeps, no CPU) over two uniform params; parallelism k. Efficiency = ideal / wall with ideal = trials × sleep / k. Slot-time k × wall splits exactly into the sleeps (= efficiency), time in trials beyond the sleep (scheduler, link both ways, the volunteer\'s relay, the worker) and time between trials (suggestion and launch, the first wave\'s start, the last wave\'s stragglers). A trial\'s time beyond the sleep splits into the slot\'s own (its reply.ms as the volunteer reports it, less the sleep) and the rest, outside the slot. Main-thread CPU (DevTools\' ThreadTime) per trial is what each trial costs the coordinator page\'s main thread (result, scheduler, suggestion, next task) and the volunteers\' (the relay between link and slot, the status panel); it includes per-second costs such as heartbeats, spread over fewer trials at small k. Random and TPE alternate, round by round, on the same volunteers. "bare": for the diagnosis, volunteers that join by \`Volunteer.join\` from a module added to join.html opened without its fragment, so the page\'s app renders its error once and no status panel; everything else is the same code. Cores busy: of the machine\'s, by everything on it and by this benchmark\'s process tree (Node with Vite and the PeerServer, Chromium with every tab); the difference is other jobs on the shared machine.',
    '',
    '| k | volunteers | algo, round | trials | ideal s | wall s | efficiency | in trials beyond sleep | between trials | trial − sleep ms (median, p90) | of which slot, outside slot (medians) | main-thread CPU ms per trial: coordinator, volunteers | suggestion ms (median, max) | trials per node (max/min) | cores busy: machine, this bench |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const p of r.parallel) {
    for (const run of p.runs) {
      const b = breakdown(run, p.k);
      const nodes = b.perNode.length > 1 ? `${b.perNode.join(', ')} (${(b.perNode[0]! / Math.max(1, b.perNode.at(-1)!)).toFixed(2)})` : `${b.perNode.join(', ')}`;
      lines.push(`| ${p.k} | ${p.tabs} × ${p.slotsPerTab} slot(s)${p.bare ? ', bare' : ''} | ${run.algo}, ${run.round} | ${run.maxEvals} | ${(b.ideal / 1000).toFixed(2)} | ${(run.wallMs / 1000).toFixed(2)} | ${f3(b.efficiency)} | ${pct(b.inTrialShare)} | ${pct(b.betweenShare)} | ${b.trialOverheadMedian.toFixed(0)}, ${b.trialOverheadP90.toFixed(0)} | ${b.slotOverheadMedian.toFixed(0)}, ${b.outsideSlotMedian.toFixed(0)} | ${run.mainThreadMs.coordinator.toFixed(2)}, ${run.mainThreadMs.volunteers.toFixed(2)} | ${b.suggestMedian.toFixed(2)}, ${b.suggestMax.toFixed(1)} | ${nodes} | ${run.cores.machine.toFixed(2)}, ${run.cores.bench.toFixed(2)} |`);
    }
  }
  lines.push('', 'Dispatch round trip alone (a `wait` of 0 ms, random, run before the measured runs on the same volunteers; it also warms them up), and the time from opening the tabs to every volunteer in the nodes table:', '');
  for (const p of r.parallel) {
    const ms = p.probe.trials.map((t) => t.ms);
    lines.push(`- k = ${p.k}${p.bare ? ', bare volunteers' : ''}: ${p.probe.maxEvals} trials, trial ms median ${quantile(ms, 0.5).toFixed(0)}, p90 ${quantile(ms, 0.9).toFixed(0)}, max ${Math.max(...ms)}; ${p.probe.maxEvals} trials took ${p.probe.wallMs} ms (${(p.probe.wallMs / (p.probe.maxEvals / p.k)).toFixed(1)} ms per wave); joined in ${(p.joinMs / 1000).toFixed(1)} s`);
  }
  return lines;
}

function qualitySection(r: TuneResults, info: TuneReportInfo): string[] {
  const lines = [
    `## 3. The quality cost of parallelism (simulated)`,
    '',
    `Best loss after ${info.qualityEvals} evaluations, seeds 1…${info.seeds}, pure Node: \`simulateParallelSearch\` keeps k trials in flight and finishes the oldest first. Liar 'max': a pending trial enters TPE's model with the worst loss seen (hyperopt's behaviour); 'none': pending trials are invisible. A duplicate is a suggestion equal, label for label, to an earlier one; on the continuous spaces that has probability 0, so the grid version of Branin (961 points) is where duplicates show.`,
    '',
    '| function (minimum) | setting | best loss: 25% | median | 75% | median − minimum | duplicates (total, per 100 suggestions) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const q of r.quality) {
    const dup = q.duplicates.reduce((s, v) => s + v, 0);
    lines.push(`| ${q.fn} (${Number(q.minimum.toPrecision(6))}) | ${settingLabel(q)} | ${f3(quantile(q.best, 0.25))} | ${f3(quantile(q.best, 0.5))} | ${f3(quantile(q.best, 0.75))} | ${f3(quantile(q.best, 0.5) - q.minimum)} | ${dup}, ${((100 * dup) / (q.duplicates.length * q.maxEvals)).toFixed(2)} |`);
  }
  return lines;
}

/** The whole results file. */
export function renderTuneReport(r: TuneResults, info: TuneReportInfo, findings: readonly string[]): string {
  return [
    '# Tune benchmark',
    '',
    'Written by `npm run bench:tune` (bench/tune.ts). Parts 1 and 3 run the search code in Node; part 2 runs `fabric.tune` in headless Chromium with volunteer tabs over real WebRTC. Compare ratios, not absolute figures: this is a shared machine (load averages below).',
    '',
    `- Date: ${info.date}`,
    ...runInfoLines(info),
    `- Run time: ${info.runSeconds.toFixed(0)} s${info.quick ? ' (--quick: fewer seeds and trials; not the committed figures)' : ''}`,
    '',
    '| metric | Fabric | baseline (same run) | ratio | target | met |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...summaryRows(r, info),
    '',
    '## Findings',
    '',
    ...findings.flatMap((f) => [f, '']),
    ...toTargetSection(r, info),
    '',
    ...parallelSection(r),
    '',
    ...qualitySection(r, info),
    '',
  ].join('\n');
}
