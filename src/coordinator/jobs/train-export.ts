/** Exporting a trained GLM as a small JSON artifact that `score` (and people) can read. */
import type { TrainedGlm } from './train';

/** The JSON artifact: format, kind, parameter names and values, the feature plan, the metrics. */
export function exportGlm(model: TrainedGlm): string {
  return JSON.stringify({
    format: model.format,
    version: model.version,
    kind: model.kind,
    classes: model.classes,
    labels: model.labels,
    names: model.names,
    params: Array.from(model.params),
    plan: model.plan,
    model: model.model,
    metrics: model.metrics,
    dataset: model.dataset,
    converged: model.converged,
    iterations: model.history.length - 1,
  }, null, 1);
}
