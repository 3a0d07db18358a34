/**
 * The app's own group tasks, compiled into every slot (local Web Workers and volunteer tabs load
 * the same bundle). Add yours here with `defineGroupTask`; run one with
 * `fabric.groupBy('origin').apply('delay-quantiles')`.
 */
import { defineGroupTask } from './ml/group-tasks';
import { numericColumn } from './data/feature-columns';

/** The q-quantile of sorted values, by linear interpolation (NumPy's default); null when empty. */
function quantile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** An example: delay quantiles and the share of flights delayed more than 15 minutes. */
defineGroupTask('delay-quantiles', (rows) => {
  const all = numericColumn(rows, 'delay', 'delay-quantiles');
  const delays = all.filter((v) => !Number.isNaN(v)).sort();
  let late = 0;
  for (const d of delays) if (d > 15) late++;
  return {
    flights: delays.length,
    p50: quantile(delays, 0.5),
    p90: quantile(delays, 0.9),
    p99: quantile(delays, 0.99),
    late_share: delays.length > 0 ? late / delays.length : null,
  };
});
