/**
 * The headline lines of bench/results/train.md in machine-readable form (bench/metrics.ts), from
 * the same derived figures the report's summary table shows (summarizeTrain).
 */
import type { HeadlineMetric } from './metrics.ts';
import { ROOFLINE_TARGET, SCALING_TARGET, summarizeTrain, type TrainResults, type TrainReportInfo } from './train-report.ts';

/** The train report's headline lines: scaling, time to the target loss, and the kernel roofline. */
export function trainMetrics(res: TrainResults, info: TrainReportInfo): HeadlineMetric[] {
  const s = summarizeTrain(res);
  const r = res.roofline;
  const bytesPerRow = r.bytesPerPass / r.rows;
  const out: HeadlineMetric[] = [{
    metric: `training rows/s, optimization phase, ${res.scaling.rows.toLocaleString('en-US')} rows of flights-3m, 2 local slots vs 1, coordinator page`,
    unit: 'M rows/s', fabric: s.two / 1e6, baselineLabel: '1 local slot', baseline: s.one / 1e6, ratio: s.scaling,
    target: `>= ${SCALING_TARGET}x`, met: s.scaling >= SCALING_TARGET,
    // Per slot: the limit is one thread's copy, and the figure is two slots'.
    limit: { kind: 'memory-copy', value: (s.two * bytesPerRow) / 2, conversion: `rows/s x ${bytesPerRow.toFixed(0)} bytes per row of the design matrix the gradient kernel streams / 2 slots, against one thread's copy` },
  }];
  const t = res.toTarget;
  if (s.fabric1 !== undefined) {
    // As the report: tfjs that never reached the loss counts at its time cap, so the ratio is a lower bound.
    const baseMs = s.tfjsFit ?? info.tfjs.capS * 1000;
    const ratio = baseMs / s.fabric1;
    out.push({
      metric: `time to held-out log loss ${t.target.toFixed(4)}, ${t.subset.rows.toLocaleString('en-US')} rows, 1 local slot (s; ratio = tfjs time / Fabric time)`,
      unit: 's', fabric: s.fabric1 / 1000,
      baselineLabel: `tfjs model.fit (${t.backend})${s.tfjsFit === undefined ? `, not reached in its ${info.tfjs.capS} s cap` : ''}`,
      baseline: baseMs / 1000, ratio, target: '> 1x', met: ratio > 1, limit: null,
    });
  }
  for (const kind of ['linear', 'logistic'] as const) {
    const fab = s.gb[kind].fabric;
    const naive = s.gb[kind].naive;
    if (fab === undefined || naive === undefined) continue;
    out.push({
      metric: `gradient kernel glmLossGrad, ${kind}, GB/s of input streamed`,
      unit: 'GB/s', fabric: fab, baselineLabel: 'naive row-major JS loop', baseline: naive, ratio: fab / naive,
      target: `>= ${ROOFLINE_TARGET} of memory copy`, met: fab / s.copyGb >= ROOFLINE_TARGET,
      // The roofline times the copy in the same page beside the kernels: its share is the report's.
      limit: { kind: 'memory-copy', value: fab * 1e9, conversion: "GB/s x 10^9 bytes; the limit is the copy timed beside the kernels in train's roofline", measured: r.copyBytesPerSecond },
    });
  }
  return out;
}
