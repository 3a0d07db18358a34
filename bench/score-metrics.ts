/**
 * The headline lines of bench/results/score.md in machine-readable form (bench/metrics.ts), from
 * the same medians its summary table shows (summarize).
 */
import type { HeadlineMetric } from './metrics.ts';
import { SCALING_TARGET, summarize, type ScoreResults } from './score-report.ts';

/** Cached against reloaded models (the talk's anti-pattern), and 2 slots against tfjs in the page. */
export function scoreMetrics(r: ScoreResults): HeadlineMetric[] {
  const s = summarize(r);
  // A dense layer does one multiply and one add per weight: 2 FLOP per parameter and row (biases
  // counted as weights, a slight overcount) is the MLP's arithmetic, comparable to a wasm matmul.
  const flopPerRow = 2 * r.models.mlp.params;
  // The limit is one worker's matmul (a slot's setup); Fabric's figure used r.page.slots of them.
  const slots = r.page.slots;
  return [
    {
      metric: `batch scoring, ${(r.models.embedding.artifactBytes / 1e6).toFixed(1)} MB model, ${r.page.slots} slots, ${r.headlineBatch.toLocaleString('en-US')}-row batches: model cached per slot vs reloaded every batch (rows/s)`,
      unit: 'rows/s', fabric: s.cached, baselineLabel: 'reloaded every batch (reload: true)', baseline: s.reload, ratio: s.headlineRatio,
      target: 'reference', met: null, limit: null,
    },
    {
      metric: `batch scoring, MLP (${r.models.mlp.params.toLocaleString('en-US')} parameters), ${r.page.rows.toLocaleString('en-US')} rows, ${r.page.slots} local slots vs tfjs in the page (rows/s)`,
      unit: 'rows/s', fabric: s.fabric, baselineLabel: `tfjs model.predict(chunk, { batchSize }) in the page (${r.page.pageBackend})`, baseline: s.batched, ratio: s.scaling,
      target: `>= ${SCALING_TARGET}x`, met: s.scaling >= SCALING_TARGET,
      limit: { kind: 'wasm-matmul', value: (s.fabric * flopPerRow) / slots, conversion: `rows/s x ${flopPerRow.toLocaleString('en-US')} FLOP per row (2 per MLP parameter) / ${slots} slots, against one worker's matmul` },
    },
  ];
}
