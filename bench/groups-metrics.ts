/**
 * The lines of bench/results/groups.md's summary table in machine-readable form (bench/metrics.ts):
 * groups/s with 2 local slots against the sequential loop, from the same medians (summarizeWay).
 */
import type { HeadlineMetric } from './metrics.ts';
import { SCALING_TARGET, summarizeWay, type WorkloadResults } from './groups-report.ts';

/**
 * One line per variant that ran both ways. `columnsRead` maps a variant id to the number of
 * feature and target columns its fits read, which restates rows/s as bytes/s for the
 * memory-copy limit (8 bytes a value: the fits work in f64).
 */
export function groupsMetrics(results: readonly WorkloadResults[], columnsRead: ReadonlyMap<string, number>): HeadlineMetric[] {
  const out: HeadlineMetric[] = [];
  for (const w of results) {
    for (const v of w.variants) {
      const seq = summarizeWay(v, 'sequential');
      const two = summarizeWay(v, 'two');
      const columns = columnsRead.get(v.id);
      if (!seq || !two || columns === undefined) continue;
      const ratio = two.groupsPerS / seq.groupsPerS;
      const bytesPerRow = 8 * columns;
      out.push({
        metric: `groups/s, ${w.label}, ${v.label}, 2 local slots vs the sequential loop`,
        unit: 'groups/s', fabric: two.groupsPerS, baselineLabel: 'sequential loop, one thread', baseline: seq.groupsPerS, ratio,
        target: v.headline ? `>= ${SCALING_TARGET}x` : 'reference', met: v.headline ? ratio >= SCALING_TARGET : null,
        limit: {
          // Per slot: the limit is one thread's copy, and the figure is two slots'.
          kind: 'memory-copy', value: (two.rows / (two.wallMs / 1000)) * bytesPerRow / 2,
          conversion: `rows/s x ${bytesPerRow} bytes (${columns} feature and target columns as f64, the least each fit reads) / 2 slots, against one thread's copy`,
        },
      });
    }
  }
  return out;
}
