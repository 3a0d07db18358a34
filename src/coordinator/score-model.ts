/**
 * Models for `score`, made into one model artifact each (src/protocol/model-container.ts): a model
 * trained on the page (GLM or MLP), or a TensorFlow.js `LayersModel` given as `model.json` plus
 * weight shards (files dropped on the page, or a URL). Every problem with the files is a
 * `bad-input` error that names the file.
 */
import { packModel, weightBytes } from '../protocol/model-container';
import { FabricError } from '../protocol/errors';
import { WeightSpecSchema, type ModelHeader, type ModelInputs, type WeightSpec } from '../protocol/score';
import type { FeaturePlan } from '../protocol/train';
import type { TrainedModel } from './jobs/train';
import { exportMlp } from './jobs/train-export';

/** A model ready to score with: its artifact bytes and what they hold. */
export interface PreparedModel {
  readonly prepared: true;
  readonly name: string;
  readonly header: ModelHeader;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** A tfjs LayersModel in memory: `model.json` (text or parsed) and its shards by path. */
export interface LayersModelFiles {
  readonly modelJson: string | object;
  readonly shards: ReadonlyMap<string, ArrayBuffer | Uint8Array> | Readonly<Record<string, ArrayBuffer | Uint8Array>>;
}

/** Options for external models: which numeric columns, in order, are the model's inputs. */
export interface ExternalModelOptions {
  readonly columns?: readonly string[];
  readonly name?: string;
}

/** True when `v` is a {@link PreparedModel}. */
export function isPreparedModel(v: unknown): v is PreparedModel {
  return typeof v === 'object' && v !== null && (v as { prepared?: unknown }).prepared === true;
}

/** A model trained on the page, as an artifact. */
export async function prepareTrained(model: TrainedModel): Promise<PreparedModel> {
  const inputs: ModelInputs = { plan: model.plan };
  if (model.format === 'fabric-glm') {
    const header: ModelHeader = { type: 'glm', kind: model.kind, classes: model.classes, labels: [...model.labels], inputs, params: model.params.length };
    return { prepared: true, name: `${model.kind} regression`, header, bytes: packModel(header, new Uint8Array(model.params.slice().buffer)) };
  }
  const { modelJson, weights } = await exportMlp(model);
  const json = JSON.parse(modelJson) as { modelTopology: unknown; weightsManifest: { weights: unknown[] }[] };
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights).map((w) => WeightSpecSchema.parse(w));
  const header: ModelHeader = { type: 'layers', head: model.kind, labels: [...model.labels], inputs, modelTopology: json.modelTopology, weightSpecs };
  return { prepared: true, name: `MLP ${JSON.stringify(model.arch.hidden)}`, header, bytes: packModel(header, new Uint8Array(weights)) };
}

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths?: unknown; weights?: unknown }[];
  userDefinedMetadata?: { fabric?: { kind?: string; labels?: string[]; plan?: FeaturePlan } };
}

function shardOf(shards: LayersModelFiles['shards'], path: string): Uint8Array | undefined {
  const base = path.split('/').pop()!;
  const get = (k: string): ArrayBuffer | Uint8Array | undefined => (shards instanceof Map ? shards.get(k) : (shards as Record<string, ArrayBuffer | Uint8Array>)[k]);
  const v = get(path) ?? get(base);
  return v === undefined ? undefined : v instanceof Uint8Array ? v : new Uint8Array(v);
}

/**
 * The width of a LayersModel's first input as its topology declares it (`batch_input_shape` of
 * the first layer or InputLayer, `[null, width]`), or undefined when the topology does not say.
 * Read here so a wrong `columns` list fails when the model is given, not on every slot later.
 */
export function topologyInputWidth(topology: unknown): number | undefined {
  // tfjs writes { class_name, config }; Keras' converter wraps it as { model_config: { ... } }.
  type Config = { config?: { layers?: unknown } };
  const root = topology as (Config & { model_config?: Config }) | undefined;
  const layers = (root?.model_config ?? root)?.config?.layers;
  if (!Array.isArray(layers) || layers.length === 0) return undefined;
  const config = (layers[0] as { config?: { batch_input_shape?: unknown; batch_shape?: unknown } }).config;
  const shape = config?.batch_input_shape ?? config?.batch_shape;
  if (!Array.isArray(shape) || shape.length !== 2) return undefined;
  const width: unknown = shape[1];
  return typeof width === 'number' ? width : undefined;
}

/** A tfjs LayersModel from its files. Throws `bad-input` for a corrupt model.json, missing shards or inputs that do not match. */
export function prepareLayers(files: LayersModelFiles, options: ExternalModelOptions = {}): PreparedModel {
  let json: ModelJson;
  try {
    json = (typeof files.modelJson === 'string' ? JSON.parse(files.modelJson) : files.modelJson) as ModelJson;
  } catch (e) {
    throw new FabricError('bad-input', `score: model.json is not valid JSON (${(e as Error).message}); it should be the model.json that tf.LayersModel.save() writes`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new FabricError('bad-input', 'score: model.json has no modelTopology or weightsManifest; it should be a tfjs LayersModel (tf.LayersModel.save(), or tensorflowjs_converter --output_format=tfjs_layers_model)');
  }
  const paths: string[] = [];
  const specs: WeightSpec[] = [];
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new FabricError('bad-input', 'score: model.json has a weightsManifest group without paths or weights');
    paths.push(...group.paths.map(String));
    for (const w of group.weights) {
      const parsed = WeightSpecSchema.safeParse(w);
      if (!parsed.success) throw new FabricError('bad-input', `score: model.json lists a weight that is not a tfjs weight spec: ${JSON.stringify(w).slice(0, 200)}`);
      specs.push(parsed.data);
    }
  }
  const missing = paths.filter((p) => shardOf(files.shards, p) === undefined);
  if (missing.length > 0) throw new FabricError('bad-input', `score: weight shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} listed in model.json ${missing.length > 1 ? 'are' : 'is'} missing; give every file model.json names`);
  const parts = paths.map((p) => shardOf(files.shards, p)!);
  const total = parts.reduce((s, b) => s + b.byteLength, 0);
  const expected = weightBytes(specs);
  if (total !== expected) throw new FabricError('bad-input', `score: the weight shards hold ${total} bytes, but model.json describes ${expected}; a shard is truncated or from another model`);
  const weights = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    weights.set(b, at);
    at += b.byteLength;
  }
  const fabric = json.userDefinedMetadata?.fabric;
  const inputs: ModelInputs | undefined = options.columns ? { columns: [...options.columns] } : fabric?.plan ? { plan: fabric.plan } : undefined;
  if (!inputs) throw new FabricError('bad-input', 'score: this model does not say which columns are its inputs; pass columns: [\'distance\', …] in the order the model expects');
  const width = topologyInputWidth(json.modelTopology);
  if (options.columns && width !== undefined && width !== options.columns.length) {
    throw new FabricError('bad-input', `score: the model takes ${width} input${width === 1 ? '' : 's'} (its first layer's batch_input_shape), but columns lists ${options.columns.length}: ${options.columns.join(', ')}. Pass the ${width} columns the model was trained on, in order.`);
  }
  const head = fabric?.kind === 'linear' || fabric?.kind === 'logistic' || fabric?.kind === 'softmax' ? fabric.kind : 'raw';
  const header: ModelHeader = { type: 'layers', head, labels: fabric?.labels ?? [], inputs, modelTopology: json.modelTopology, weightSpecs: specs };
  return { prepared: true, name: options.name ?? 'tfjs LayersModel', header, bytes: packModel(header, weights) };
}

/** A tfjs LayersModel from dropped files: one `.json` and its `.bin` shards. */
export async function prepareLayersFiles(files: readonly File[], options: ExternalModelOptions = {}): Promise<PreparedModel> {
  const jsons = files.filter((f) => f.name.endsWith('.json'));
  if (jsons.length !== 1) throw new FabricError('bad-input', `score: give exactly one model.json with its weight shards; got ${jsons.length} .json files among ${files.map((f) => f.name).join(', ')}`);
  const shards = new Map<string, ArrayBuffer>();
  for (const f of files) if (f !== jsons[0]) shards.set(f.name, await f.arrayBuffer());
  return prepareLayers({ modelJson: await jsons[0]!.text(), shards }, { name: jsons[0]!.name, ...options });
}

/** A tfjs LayersModel served at `url` (its model.json); shards are fetched beside it. */
export async function prepareLayersUrl(url: string, options: ExternalModelOptions = {}): Promise<PreparedModel> {
  const fetchOk = async (u: string, what: string): Promise<Response> => {
    const res = await fetch(u).catch((e: unknown) => {
      throw new FabricError('bad-input', `score: could not fetch ${what} at ${u} (${(e as Error).message})`);
    });
    if (!res.ok) throw new FabricError('bad-input', `score: fetching ${what} at ${u} answered ${res.status} ${res.statusText}`);
    return res;
  };
  const base = new URL(url, location.href);
  const text = await (await fetchOk(base.href, 'model.json')).text();
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (e) {
    throw new FabricError('bad-input', `score: model.json at ${base.href} is not valid JSON (${(e as Error).message})`);
  }
  const paths = (json.weightsManifest ?? []).flatMap((g) => (Array.isArray(g.paths) ? g.paths.map(String) : []));
  const shards = new Map<string, ArrayBuffer>();
  for (const p of paths) shards.set(p, await (await fetchOk(new URL(p, base).href, `weight shard ${p}`)).arrayBuffer());
  return prepareLayers({ modelJson: json, shards }, { name: base.pathname.split('/').slice(-2).join('/'), ...options });
}
