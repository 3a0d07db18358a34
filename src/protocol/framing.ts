/**
 * Binary framing for links to volunteers. A message is a JSON header plus binary payloads, encoded
 * as one byte string and cut into frames that each fit in one data-channel message:
 *
 * ```
 * message:  u32 headerLength | header (UTF-8 JSON) | u32 payloadCount | u32 length × count | payload bytes
 * frame:    u8 magic 0xFB | u8 version | u16 zero | u32 messageId | u32 chunkIndex | u32 chunkCount
 *           | u32 totalLength | chunk bytes
 * ```
 * All integers are little-endian. Frames of different messages may interleave (control messages
 * overtake a large partition), so the reassembler keeps one partial message per id. Nothing here is
 * trusted: every length is checked against the bytes present and against the caps.
 */
import { FabricError } from './errors';

export const FRAME_MAGIC = 0xfb;
export const FRAME_VERSION = 1;
/** Bytes of the frame header. */
export const FRAME_HEADER_BYTES = 20;
/**
 * Largest frame we send: Chromium's SCTP max message size is 262144 bytes and a larger `send()`
 * throws. Chunks from 64 KiB up ran about twice as fast as 16 KiB ones here (TESTING-NOTES.md).
 */
export const MAX_FRAME_BYTES = 256 * 1024;

/** A decoded message before its header is schema-checked. */
export interface RawMessage {
  readonly header: unknown;
  readonly payloads: readonly Uint8Array[];
}

/** Caps that protect a receiver. */
export interface FrameLimits {
  /** Largest encoded message accepted, in bytes. */
  readonly maxMessageBytes: number;
  /** Largest JSON header accepted, in bytes. */
  readonly maxHeaderBytes: number;
  /** Most messages being reassembled at once. */
  readonly maxPartialMessages: number;
  /** Most binary payloads in one message. */
  readonly maxPayloads: number;
}

/** Default caps: a 256 MiB partition is the most a coordinator sends; headers are small. */
export const DEFAULT_LIMITS: FrameLimits = {
  maxMessageBytes: 256 * 1024 * 1024,
  maxHeaderBytes: 1024 * 1024,
  maxPartialMessages: 8,
  maxPayloads: 64,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a header and payloads into one message byte string. */
export function encodeMessage(header: unknown, payloads: readonly Uint8Array[] = []): Uint8Array {
  const json = encoder.encode(JSON.stringify(header));
  let total = 4 + json.byteLength + 4 + 4 * payloads.length;
  for (const p of payloads) total += p.byteLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.byteLength, true);
  out.set(json, 4);
  let at = 4 + json.byteLength;
  view.setUint32(at, payloads.length, true);
  at += 4;
  for (const p of payloads) {
    view.setUint32(at, p.byteLength, true);
    at += 4;
  }
  for (const p of payloads) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Decodes a message byte string. Throws `bad-frame` when any length disagrees with the bytes. */
export function decodeMessage(bytes: Uint8Array, limits: FrameLimits = DEFAULT_LIMITS): RawMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number, what: string): void => {
    if (at + n > bytes.byteLength) {
      throw new FabricError('bad-frame', `decodeMessage: ${what} needs ${n} bytes at offset ${at}, but the message has ${bytes.byteLength}`);
    }
  };
  need(0, 4, 'header length');
  const headerLength = view.getUint32(0, true);
  if (headerLength > limits.maxHeaderBytes) {
    throw new FabricError('message-too-large', `decodeMessage: header of ${headerLength} bytes exceeds the cap of ${limits.maxHeaderBytes}`);
  }
  need(4, headerLength, 'header');
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headerLength)));
  } catch (e) {
    throw new FabricError('bad-frame', `decodeMessage: header is not UTF-8 JSON (${(e as Error).message})`);
  }
  let at = 4 + headerLength;
  need(at, 4, 'payload count');
  const count = view.getUint32(at, true);
  at += 4;
  if (count > limits.maxPayloads) {
    throw new FabricError('bad-frame', `decodeMessage: ${count} payloads exceeds the cap of ${limits.maxPayloads}`);
  }
  need(at, 4 * count, 'payload lengths');
  const lengths: number[] = [];
  for (let i = 0; i < count; i++) lengths.push(view.getUint32(at + 4 * i, true));
  at += 4 * count;
  const payloads: Uint8Array[] = [];
  for (const len of lengths) {
    need(at, len, 'payload');
    payloads.push(bytes.subarray(at, at + len));
    at += len;
  }
  if (at !== bytes.byteLength) {
    throw new FabricError('bad-frame', `decodeMessage: ${bytes.byteLength - at} trailing bytes after the last payload`);
  }
  return { header, payloads };
}

/** Cuts an encoded message into frames of at most `maxFrameBytes` bytes. */
export function toFrames(messageId: number, message: Uint8Array, maxFrameBytes: number = MAX_FRAME_BYTES): Uint8Array<ArrayBuffer>[] {
  const chunkBytes = maxFrameBytes - FRAME_HEADER_BYTES;
  if (chunkBytes <= 0) throw new FabricError('bad-input', `toFrames: maxFrameBytes must exceed ${FRAME_HEADER_BYTES}, got ${maxFrameBytes}`);
  const count = Math.max(1, Math.ceil(message.byteLength / chunkBytes));
  const frames: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < count; i++) {
    const chunk = message.subarray(i * chunkBytes, Math.min(message.byteLength, (i + 1) * chunkBytes));
    const frame = new Uint8Array(FRAME_HEADER_BYTES + chunk.byteLength);
    const view = new DataView(frame.buffer);
    view.setUint8(0, FRAME_MAGIC);
    view.setUint8(1, FRAME_VERSION);
    view.setUint32(4, messageId >>> 0, true);
    view.setUint32(8, i, true);
    view.setUint32(12, count, true);
    view.setUint32(16, message.byteLength, true);
    frame.set(chunk, FRAME_HEADER_BYTES);
    frames.push(frame);
  }
  return frames;
}

interface Partial {
  readonly bytes: Uint8Array;
  readonly chunkCount: number;
  nextChunk: number;
  filled: number;
}

/**
 * Rebuilds messages from frames. `push` returns the finished message's bytes, or `undefined` while
 * a message is still incomplete, and throws a FabricError (`bad-frame`, `message-too-large`) on the
 * first frame that breaks the format. After a throw the link must be closed: its state is unknown.
 */
export class Reassembler {
  private readonly partials = new Map<number, Partial>();

  constructor(private readonly limits: FrameLimits = DEFAULT_LIMITS) {}

  /** Number of messages in progress. */
  get pending(): number {
    return this.partials.size;
  }

  /** Takes one frame. */
  push(frame: Uint8Array): Uint8Array | undefined {
    if (frame.byteLength < FRAME_HEADER_BYTES) {
      throw new FabricError('bad-frame', `Reassembler: frame of ${frame.byteLength} bytes is shorter than the ${FRAME_HEADER_BYTES}-byte header`);
    }
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    if (view.getUint8(0) !== FRAME_MAGIC || view.getUint8(1) !== FRAME_VERSION) {
      throw new FabricError('bad-frame', `Reassembler: frame starts with 0x${view.getUint8(0).toString(16)} 0x${view.getUint8(1).toString(16)}, expected magic 0xfb and version ${FRAME_VERSION}`);
    }
    const messageId = view.getUint32(4, true);
    const chunkIndex = view.getUint32(8, true);
    const chunkCount = view.getUint32(12, true);
    const totalLength = view.getUint32(16, true);
    const chunk = frame.subarray(FRAME_HEADER_BYTES);
    if (chunkCount === 0 || chunkIndex >= chunkCount) {
      throw new FabricError('bad-frame', `Reassembler: chunk ${chunkIndex} of ${chunkCount} is out of range (message ${messageId})`);
    }
    let partial = this.partials.get(messageId);
    if (!partial) {
      if (chunkIndex !== 0) {
        throw new FabricError('bad-frame', `Reassembler: message ${messageId} starts at chunk ${chunkIndex}, expected chunk 0`);
      }
      if (totalLength > this.limits.maxMessageBytes) {
        throw new FabricError('message-too-large', `Reassembler: message ${messageId} of ${totalLength} bytes exceeds the cap of ${this.limits.maxMessageBytes}`);
      }
      if (this.partials.size >= this.limits.maxPartialMessages) {
        throw new FabricError('bad-frame', `Reassembler: more than ${this.limits.maxPartialMessages} messages in progress at once`);
      }
      partial = { bytes: new Uint8Array(totalLength), chunkCount, nextChunk: 0, filled: 0 };
      this.partials.set(messageId, partial);
    }
    if (chunkIndex !== partial.nextChunk || chunkCount !== partial.chunkCount || totalLength !== partial.bytes.byteLength) {
      this.partials.delete(messageId);
      throw new FabricError('bad-frame', `Reassembler: message ${messageId} got chunk ${chunkIndex}/${chunkCount} (length ${totalLength}), expected chunk ${partial.nextChunk}/${partial.chunkCount} (length ${partial.bytes.byteLength})`);
    }
    if (partial.filled + chunk.byteLength > partial.bytes.byteLength) {
      this.partials.delete(messageId);
      throw new FabricError('bad-frame', `Reassembler: message ${messageId} overflows its declared length of ${partial.bytes.byteLength} bytes`);
    }
    partial.bytes.set(chunk, partial.filled);
    partial.filled += chunk.byteLength;
    partial.nextChunk += 1;
    if (partial.nextChunk < partial.chunkCount) return undefined;
    this.partials.delete(messageId);
    if (partial.filled !== partial.bytes.byteLength) {
      throw new FabricError('bad-frame', `Reassembler: message ${messageId} ended after ${partial.filled} of ${partial.bytes.byteLength} bytes`);
    }
    return partial.bytes;
  }
}
