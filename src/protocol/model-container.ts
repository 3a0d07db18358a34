/**
 * The byte layout of a model artifact (see score.ts): u32 little-endian header length, the header
 * as UTF-8 JSON, then the weights. Packing and unpacking check every length, so a truncated or
 * damaged artifact fails with a clear error instead of a wrong model.
 */
import { FabricError } from './errors';
import { ModelHeaderSchema, type ModelHeader } from './score';

/** Largest header accepted: a model.json topology is kilobytes; a feature plan with 100k categories is a few MB. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** Packs a header and its weights into one artifact. */
export function packModel(header: ModelHeader, weights: Uint8Array): Uint8Array<ArrayBuffer> {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.byteLength + weights.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 4);
  out.set(weights, 4 + json.byteLength);
  return out;
}

/** Unpacks a model artifact; throws `bad-input` naming what is wrong. */
export function unpackModel(bytes: Uint8Array): { header: ModelHeader; weights: Uint8Array } {
  if (bytes.byteLength < 4) throw new FabricError('bad-input', `model artifact of ${bytes.byteLength} bytes is too short to hold a header`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (length > MAX_HEADER_BYTES || 4 + length > bytes.byteLength) throw new FabricError('bad-input', `model artifact header claims ${length} bytes, but the artifact holds ${bytes.byteLength}`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  } catch (e) {
    throw new FabricError('bad-input', `model artifact header is not JSON: ${(e as Error).message}`);
  }
  const parsed = ModelHeaderSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FabricError('bad-input', `model artifact header: "${issue?.path.join('.') ?? ''}" ${issue?.message ?? 'is invalid'}`);
  }
  const weights = bytes.subarray(4 + length);
  const header = parsed.data;
  const expected = header.type === 'glm' ? header.params * 8 : weightBytes(header.weightSpecs);
  if (weights.byteLength !== expected) throw new FabricError('bad-input', `model artifact has ${weights.byteLength} bytes of weights; its header describes ${expected}`);
  return { header, weights };
}

/** Bytes of tfjs weights by their specs (float32, int32 and bool as tfjs stores them: 4, 4, 1). */
export function weightBytes(specs: readonly { shape: readonly number[]; dtype: string }[]): number {
  return specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'bool' ? 1 : 4), 0);
}
