/**
 * Browser side of `npm run bench:transport`. bench/transport.ts opens this page twice, in two
 * browser contexts: one sends, one receives. It calls the functions on `window.transportBench`.
 *
 * Each method ships one pattern-filled payload and the receiver acknowledges it over the same
 * channel, the way a real transfer would be confirmed. The sender times from just before the send
 * to the acknowledgement's arrival. The acknowledgement is one small message (about 0.4 ms round
 * trip here, TESTING-NOTES.md), well under 0.1% of a 32 MiB transfer. Playwright polling instead
 * would add its own polling interval and a DevTools round trip between two processes. The receiver
 * compares every byte only after it has acknowledged, so the check costs the timing nothing, and a
 * broken transfer fails the run instead of producing a number.
 */
import Peer, { type DataConnection } from 'peerjs';
import { z } from '../src/protocol/zod';
import { MessageLink, type LinkOptions } from '../src/link/message-link';
import { fromPeerConnection, whenOpen } from '../src/link/peerjs-channel';
import { DEFAULT_LIMITS } from '../src/protocol/framing';
import { copyBytesPerSecond } from './copy-bandwidth';

/** The three transports compared. */
export type Method = 'fabric-link' | 'raw-datachannel' | 'peerjs-binary';

/** What the receiver found when it compared the bytes. */
export interface ReceiveCheck {
  readonly ok: boolean;
  readonly detail: string;
}

/** The functions bench/transport.ts calls in the page. */
export interface TransportBenchApi {
  /** Opens this page's PeerJS peer as `id`; the link accepts messages up to `maxMessageBytes`. */
  openPeer(id: string, maxMessageBytes: number): Promise<void>;
  /** Sender: opens the fabric link (`raw`) and the PeerJS `binary` connection to `remoteId`. */
  connectPeers(remoteId: string): Promise<void>;
  /** Receiver: resolves when both PeerJS connections from the sender are open. */
  acceptPeers(timeoutMs: number): Promise<void>;
  /** Sender: creates the plain RTCPeerConnection and returns its offer, ICE candidates included. */
  rawOffer(): Promise<string>;
  /** Receiver: answers the offer, ICE candidates included. */
  rawAnswer(offer: string): Promise<string>;
  /** Sender: applies the answer and resolves when the channel is open. */
  rawAccept(answer: string, timeoutMs: number): Promise<void>;
  /** Receiver: arms the receiving side for one transfer. */
  expect(method: Method, seed: number, byteLength: number): void;
  /** Sender: ships one payload and returns the milliseconds until the acknowledgement arrived. */
  send(method: Method, seed: number, byteLength: number, timeoutMs: number): Promise<number>;
  /** Receiver: compares every received byte with the pattern of the armed transfer. */
  verify(): ReceiveCheck;
  /** Median bytes per second of `Uint8Array.set` copying `byteLength` bytes, over `repeats` copies. */
  copyBytesPerSecond(byteLength: number, repeats: number): number;
}

declare global {
  interface Window {
    transportBench: TransportBenchApi;
  }
}

/** Any message with a string `type`: the bench needs no stricter contract. */
const BenchMessageSchema = z.looseObject({ type: z.string(), seed: z.number().optional() });
type BenchMessage = z.infer<typeof BenchMessageSchema>;

/**
 * Chunk and marks of the raw channel: 256 KiB is Chromium's largest `send()`, and 4 MiB high with
 * 1 MiB low kept a raw channel at full speed here (TESTING-NOTES.md).
 */
const RAW_CHUNK_BYTES = 256 * 1024;
const RAW_HIGH_WATER = 4 * 1024 * 1024;
const RAW_LOW_WATER = 1024 * 1024;

/** The payload of one transfer: xorshift32 from `seed`, so no two transfers carry the same bytes. */
function patternBytes(seed: number, byteLength: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(byteLength);
  const words = new Uint32Array(bytes.buffer, 0, byteLength >>> 2);
  let x = seed | 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  for (let i = words.length * 4; i < byteLength; i++) bytes[i] = (x = (x * 31 + 7) | 0) & 0xff;
  return bytes;
}

/** The first difference between `pieces` laid end to end and `expected`, or undefined. */
function firstDifference(pieces: readonly Uint8Array[], expected: Uint8Array): string | undefined {
  let at = 0;
  for (const piece of pieces) {
    if (at + piece.byteLength > expected.byteLength) return `received more than the ${expected.byteLength} bytes sent`;
    for (let i = 0; i < piece.byteLength; i++) {
      if (piece[i] !== expected[at + i]) return `byte ${at + i} is ${piece[i]}, expected ${expected[at + i]}`;
    }
    at += piece.byteLength;
  }
  return at === expected.byteLength ? undefined : `received ${at} of ${expected.byteLength} bytes`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    promise.then((v) => {
      clearTimeout(timer);
      resolve(v);
    }, (e: unknown) => {
      clearTimeout(timer);
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}

function iceGathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'complete') resolve();
  }));
}

function channelOpen(dc: RTCDataChannel): Promise<void> {
  if (dc.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    dc.addEventListener('open', () => resolve(), { once: true });
    dc.addEventListener('error', () => reject(new Error('the raw data channel failed to open')), { once: true });
  });
}

/** One armed transfer on the receiving side. */
interface Incoming {
  readonly method: Method;
  readonly seed: number;
  readonly byteLength: number;
  readonly pieces: Uint8Array[];
  received: number;
  error?: string;
}

let peer: Peer | undefined;
let maxMessageBytes = DEFAULT_LIMITS.maxMessageBytes;
let link: MessageLink<BenchMessage, BenchMessage> | undefined;
let binaryConn: DataConnection | undefined;
let rawPc: RTCPeerConnection | undefined;
let rawDc: RTCDataChannel | undefined;
let incoming: Incoming | undefined;
const peersReady = { link: false, binary: false, waiters: [] as (() => void)[] };
/** Sender: acknowledgement waiters, keyed `${method}:${seed}`. */
const ackWaiters = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();

function acknowledged(method: Method, seed: number): void {
  ackWaiters.get(`${method}:${seed}`)?.resolve();
  ackWaiters.delete(`${method}:${seed}`);
}

function failAllWaiters(why: string): void {
  for (const w of ackWaiters.values()) w.reject(new Error(why));
  ackWaiters.clear();
}

/** Receiver: takes the bytes of `method`, and acknowledges (first) once all have arrived. */
function take(method: Method, seed: number | undefined, pieces: readonly Uint8Array[], ack: (seed: number) => void): void {
  const into = incoming;
  if (!into || into.method !== method) {
    console.error(`transport bench: ${method} data arrived while ${into?.method ?? 'nothing'} was expected`);
    return;
  }
  const before = into.received;
  for (const p of pieces) into.received += p.byteLength;
  if (before < into.byteLength && into.received >= into.byteLength) ack(seed ?? into.seed);
  into.pieces.push(...pieces);
  if (seed !== undefined && seed !== into.seed) into.error = `${method} carried seed ${seed}, expected ${into.seed}`;
}

function linkOptions(label: string): LinkOptions<BenchMessage, BenchMessage> {
  return {
    schema: BenchMessageSchema,
    heartbeat: (): BenchMessage => ({ type: 'heartbeat' }),
    heartbeatMs: 1000,
    lostAfterMs: 30_000,
    limits: { ...DEFAULT_LIMITS, maxMessageBytes },
    label,
  };
}

function markPeerReady(which: 'link' | 'binary'): void {
  peersReady[which] = true;
  if (peersReady.link && peersReady.binary) for (const w of peersReady.waiters.splice(0)) w();
}

/** Receiver: wires one incoming PeerJS connection to its method. */
async function acceptConnection(conn: DataConnection): Promise<void> {
  await whenOpen(conn, 20_000);
  if (conn.serialization === 'raw') {
    const l = new MessageLink<BenchMessage, BenchMessage>(fromPeerConnection(conn), linkOptions('bench receiver'));
    l.onMessage((msg, payloads) => {
      if (msg.type !== 'partition') return;
      take('fabric-link', msg.seed, payloads, (seed) => void l.send({ type: 'ack', seed }));
    });
    l.onClose((reason) => console.error(`transport bench: receiver link closed: ${reason.message}`));
    link = l;
    markPeerReady('link');
  } else {
    conn.on('data', (data) => {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
      if (!bytes) return;
      take('peerjs-binary', undefined, [bytes], (seed) => void conn.send({ type: 'ack', seed }));
    });
    binaryConn = conn;
    markPeerReady('binary');
  }
}

function wireRawChannel(dc: RTCDataChannel, role: 'sender' | 'receiver'): void {
  dc.binaryType = 'arraybuffer';
  rawDc = dc;
  dc.addEventListener('message', (e: MessageEvent) => {
    const d: unknown = e.data;
    if (role === 'sender' && typeof d === 'string' && d.startsWith('ack:')) acknowledged('raw-datachannel', Number(d.slice(4)));
    else if (role === 'receiver' && d instanceof ArrayBuffer) take('raw-datachannel', undefined, [new Uint8Array(d)], (seed) => dc.send(`ack:${seed}`));
  });
  dc.addEventListener('close', () => failAllWaiters('the raw data channel closed'));
}

/** Sends `bytes` in 256 KiB chunks, holding back while more than 4 MiB is buffered. */
async function sendRaw(dc: RTCDataChannel, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  dc.bufferedAmountLowThreshold = RAW_LOW_WATER;
  for (let at = 0; at < bytes.byteLength;) {
    if (dc.bufferedAmount > RAW_HIGH_WATER) {
      await new Promise((resolve) => dc.addEventListener('bufferedamountlow', resolve, { once: true }));
      continue;
    }
    dc.send(bytes.subarray(at, at + RAW_CHUNK_BYTES));
    at += RAW_CHUNK_BYTES;
  }
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`transport bench: ${what} is not set up yet`);
  return value;
}

window.transportBench = {
  async openPeer(id, maxBytes) {
    maxMessageBytes = maxBytes;
    const p = new Peer(id, { host: location.hostname, port: Number(location.port), path: '/peerjs', debug: 0, config: { iceServers: [] } });
    peer = p;
    p.on('connection', (conn) => void acceptConnection(conn).catch((e: unknown) => console.error(`transport bench: accept failed: ${String(e)}`)));
    await withTimeout(new Promise<void>((resolve, reject) => {
      p.once('open', () => resolve());
      p.once('error', (e) => reject(new Error(`PeerJS: ${e.type}: ${e.message}`)));
    }), 10_000, 'PeerJS open');
  },

  async connectPeers(remoteId) {
    const p = need(peer, 'the PeerJS peer');
    const raw = p.connect(remoteId, { serialization: 'raw', reliable: true });
    await whenOpen(raw, 20_000);
    const l = new MessageLink<BenchMessage, BenchMessage>(fromPeerConnection(raw), linkOptions('bench sender'));
    l.onMessage((msg) => {
      if (msg.type === 'ack' && msg.seed !== undefined) acknowledged('fabric-link', msg.seed);
    });
    l.onClose((reason) => failAllWaiters(`the fabric link closed: ${reason.message}`));
    link = l;
    const bin = p.connect(remoteId, { serialization: 'binary', reliable: true });
    await whenOpen(bin, 20_000);
    bin.on('data', (data) => {
      const parsed = BenchMessageSchema.safeParse(data);
      if (parsed.success && parsed.data.type === 'ack' && parsed.data.seed !== undefined) acknowledged('peerjs-binary', parsed.data.seed);
    });
    bin.on('close', () => failAllWaiters('the PeerJS binary connection closed'));
    binaryConn = bin;
  },

  acceptPeers(timeoutMs) {
    if (peersReady.link && peersReady.binary) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => peersReady.waiters.push(resolve)), timeoutMs, 'both PeerJS connections opening');
  },

  async rawOffer() {
    const pc = new RTCPeerConnection({ iceServers: [] });
    rawPc = pc;
    wireRawChannel(pc.createDataChannel('bench-raw', { ordered: true }), 'sender');
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    return JSON.stringify(pc.localDescription);
  },

  async rawAnswer(offer) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    rawPc = pc;
    pc.addEventListener('datachannel', (e) => wireRawChannel(e.channel, 'receiver'));
    await pc.setRemoteDescription(JSON.parse(offer) as RTCSessionDescriptionInit);
    await pc.setLocalDescription(await pc.createAnswer());
    await iceGathered(pc);
    return JSON.stringify(pc.localDescription);
  },

  async rawAccept(answer, timeoutMs) {
    await need(rawPc, 'the raw peer connection').setRemoteDescription(JSON.parse(answer) as RTCSessionDescriptionInit);
    await withTimeout(channelOpen(need(rawDc, 'the raw data channel')), timeoutMs, 'the raw data channel opening');
  },

  expect(method, seed, byteLength) {
    incoming = { method, seed, byteLength, pieces: [], received: 0 };
  },

  async send(method, seed, byteLength, timeoutMs) {
    const payload = patternBytes(seed, byteLength);
    const acked = new Promise<void>((resolve, reject) => ackWaiters.set(`${method}:${seed}`, { resolve, reject }));
    const t0 = performance.now();
    if (method === 'fabric-link') {
      need(link, 'the fabric link').send({ type: 'partition', seed }, [payload], 'bulk').catch((e: unknown) => failAllWaiters(`fabric link send failed: ${String(e)}`));
    } else if (method === 'raw-datachannel') {
      sendRaw(need(rawDc, 'the raw data channel'), payload).catch((e: unknown) => failAllWaiters(`raw send failed: ${String(e)}`));
    } else {
      void need(binaryConn, 'the PeerJS binary connection').send(payload.buffer);
    }
    await withTimeout(acked, timeoutMs, `the ${method} acknowledgement`);
    return performance.now() - t0;
  },

  verify() {
    const into = incoming;
    if (!into) return { ok: false, detail: 'no transfer was armed' };
    if (into.error) return { ok: false, detail: into.error };
    const diff = firstDifference(into.pieces, patternBytes(into.seed, into.byteLength));
    return diff ? { ok: false, detail: `${into.method}: ${diff}` } : { ok: true, detail: `${into.received} bytes match` };
  },

  copyBytesPerSecond,
};
