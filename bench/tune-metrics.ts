/**
 * The headline lines of bench/results/tune.md in machine-readable form (bench/metrics.ts), from
 * the same figures its summary table shows. Neither has a physical limit: evaluations to a target
 * count suggestions, and the parallel runs sleep, so their cost is dispatch, not bandwidth or FLOPs.
 */
import type { HeadlineMetric } from './metrics.ts';
import { breakdown, EFFICIENCY_TARGET, lastK, medianRun, type TuneReportInfo, type TuneResults } from './tune-report.ts';
import { toTargetQuartiles } from './tune-search.ts';

/** Evaluations to each target (TPE against random search) and parallel efficiency at the largest k. */
export function tuneMetrics(r: TuneResults, info: TuneReportInfo): { metrics: HeadlineMetric[]; omitted: string[] } {
  const out: HeadlineMetric[] = [];
  const omitted: string[] = [];
  for (const fn of [...new Set(r.toTarget.map((t) => t.fn))]) {
    const tpe = r.toTarget.find((t) => t.fn === fn && t.algo === 'tpe');
    const random = r.toTarget.find((t) => t.fn === fn && t.algo === 'random');
    const share = r.shares.find((x) => x.fn === fn);
    if (!tpe || !random || !share) continue;
    const t = toTargetQuartiles(tpe).median;
    const measured = toTargetQuartiles(random).median;
    // Random search's measured median is often past the cap; the report's finite figure for it is
    // the median from the share of the box at the target, so that is the baseline here.
    if (!Number.isFinite(t) || !Number.isFinite(share.randomMedian)) {
      omitted.push(`evaluations to ${fn} <= ${tpe.target}: ${Number.isFinite(t) ? 'no prior draw reached the target' : `TPE's median is past the cap of ${info.cap}`}, so there is no ratio`);
      continue;
    }
    const ratio = share.randomMedian / t;
    out.push({
      metric: `evaluations to ${fn} <= ${tpe.target}, median of ${info.seeds} seeds (ratio = random / TPE)`,
      unit: 'evaluations', fabric: t,
      baselineLabel: `random search, median from the share of the box at the target (measured: ${Number.isFinite(measured) ? measured : `> ${info.cap}`})`,
      baseline: share.randomMedian, ratio, target: '> 1x', met: ratio > 1, limit: null,
    });
  }
  const { last } = lastK(r);
  if (last) {
    for (const algo of ['random', 'tpe'] as const) {
      const run = medianRun(last, algo);
      if (!run) continue;
      const b = breakdown(run, last.k);
      out.push({
        metric: `parallel efficiency, ${algo}, k = ${last.k} slots on ${last.tabs} volunteer tabs, ${run.maxEvals} trials of ${run.waitMs} ms (s; ratio = ideal / wall)`,
        unit: 's', fabric: run.wallMs / 1000, baselineLabel: 'ideal: trials x sleep / k', baseline: b.ideal / 1000,
        ratio: b.efficiency, target: `>= ${EFFICIENCY_TARGET}`, met: b.efficiency >= EFFICIENCY_TARGET, limit: null,
      });
    }
  }
  return { metrics: out, omitted };
}
