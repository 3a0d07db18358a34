/** Exporting a trained GLM as a small JSON artifact that `score` (and people) can read. */
import type { TrainedGlm } from './train';
import type { TrainedMlp } from './train-mlp';

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

/**
 * Exports an MLP in the tfjs `LayersModel` format: `model.json` (topology and weights manifest)
 * and `weights.bin`, which `tf.loadLayersModel` loads. tfjs is imported only when this runs, so
 * the coordinator page does not carry it otherwise.
 */
export async function exportMlp(model: TrainedMlp): Promise<{ modelJson: string; weights: ArrayBuffer }> {
  const tf = await import('@tensorflow/tfjs');
  const { buildMlp, setMlpWeights } = await import('../../ml/mlp-layers');
  const layers = buildMlp(model.arch);
  setMlpWeights(layers, model.params);
  let saved: { modelJson: string; weights: ArrayBuffer } | undefined;
  await layers.save(tf.io.withSaveHandler((artifacts) => {
    const weights = artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData : new ArrayBuffer(0);
    saved = {
      weights,
      modelJson: JSON.stringify({
        format: 'layers-model',
        generatedBy: 'Fabric',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: { fabric: { kind: model.kind, labels: model.labels, names: model.names, plan: model.plan, metrics: model.metrics } },
      }),
    };
    return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
  }));
  layers.dispose();
  return saved!;
}
