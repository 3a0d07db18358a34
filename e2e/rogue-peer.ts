/**
 * A rogue PeerJS peer, run inside a page of the origin with PeerJS's own script tag. It builds
 * every frame by hand from the wire format's description (a 20-byte header: magic 0xfb, version 1,
 * u16 0, u32 message id, u32 chunk index, u32 chunk count, u32 total length; then the message:
 * u32 JSON length, JSON, u32 payload count, lengths, payloads) and shares no code with Fabric.
 *
 * The functions here are passed to `page.evaluate`, so each is self-contained.
 */

/** What one fuzz batch did, as the rogue saw it. */
export interface FuzzReport {
  connections: number;
  framesSent: number;
  /** Connections the coordinator closed (the rogue saw the close before its own timeout). */
  closedByCoordinator: number;
  /** Mutation kinds used, by count. */
  mutations: Record<string, number>;
}

/** Arguments of {@link fuzzBatch}. */
export interface FuzzArgs {
  room: string;
  connections: number;
  parallel: number;
  seed: number;
  /** When set, every hello carries this token (a join flood with one token). */
  fixedToken?: string;
}

/**
 * Opens `connections` links to the room, `parallel` at a time, and on each sends a hello (with a
 * wrong token) cut into tiny chunks, one mutated frame among them, then a frame that is not a
 * frame at all, so every link ends in a violation. Waits for the coordinator to close each link.
 */
export async function fuzzBatch(args: FuzzArgs): Promise<FuzzReport> {
  type Conn = { on(e: string, f: (x?: unknown) => void): void; close(): void; dataChannel: RTCDataChannel };
  const w = window as unknown as { Peer: new (o: object) => { on(e: string, f: (x?: unknown) => void): void; connect(id: string, o: object): Conn; destroy(): void } };
  let s = args.seed >>> 0 || 1;
  const rand = (): number => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const int = (n: number): number => Math.floor(rand() * n);
  const report: FuzzReport = { connections: 0, framesSent: 0, closedByCoordinator: 0, mutations: {} };
  const peer = new w.Peer({ host: location.hostname, port: Number(location.port), path: '/peerjs', debug: 0, config: { iceServers: [] } });
  await new Promise<void>((resolve, reject) => {
    peer.on('open', () => resolve());
    peer.on('error', (e) => reject(new Error(`rogue peer: ${String((e as Error)?.message ?? e)}`)));
  });
  const enc = new TextEncoder();
  const u32 = (v: DataView, at: number, x: number): void => v.setUint32(at, x >>> 0, true);
  const message = (header: unknown): Uint8Array => {
    const json = enc.encode(JSON.stringify(header));
    const b = new Uint8Array(8 + json.length);
    u32(new DataView(b.buffer), 0, json.length);
    b.set(json, 4);
    return b;
  };
  const frame = (id: number, index: number, count: number, total: number, body: Uint8Array): Uint8Array => {
    const b = new Uint8Array(20 + body.length);
    const v = new DataView(b.buffer);
    v.setUint8(0, 0xfb);
    v.setUint8(1, 1);
    u32(v, 4, id); u32(v, 8, index); u32(v, 12, count); u32(v, 16, total);
    b.set(body, 20);
    return b;
  };
  const randomToken = (): string => Array.from({ length: 24 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[int(64)]).join('');
  const wrongTypes: unknown[] = [null, 42, -1, 1e308, 'x', [], {}, true, { __proto__: { admin: true } }, 'A'.repeat(5000)];
  const probe = { chosen: 'wasm', gflops: 1, measurements: [], crossOriginIsolated: true };
  /** One connection's frames: a chunked hello, one mutation near its end, then junk. */
  const program = (): { frames: Uint8Array[]; mutation: string } => {
    const hello: Record<string, unknown> = {
      type: 'hello', protocol: 2, token: args.fixedToken ?? randomToken(), name: 'rogue', userAgent: 'r'.repeat(200 + int(300)), slots: [probe],
    };
    let mutation = args.fixedToken ? 'join-flood' : ['flip', 'truncate', 'bad-length', 'huge-size', 'bad-magic', 'bad-index', 'wrong-type', 'wrong-message', 'junk-only', 'json-garbage'][int(10)]!;
    if (mutation === 'wrong-type') {
      const keys = Object.keys(hello);
      hello[keys[int(keys.length)]!] = wrongTypes[int(wrongTypes.length)];
    }
    if (mutation === 'wrong-message') {
      const others = [{ type: 'result', slot: 0, taskId: 'describe-1-0', reply: { ok: true, result: { rows: 1, columns: [] }, ms: 1 } }, { type: 'cached', slot: 0, id: 'p', reply: { ok: true } }, { type: 'heartbeat', sentAt: 0 }, { type: 'nope' }];
      Object.keys(hello).forEach((k) => delete hello[k]);
      Object.assign(hello, others[int(others.length)]);
    }
    let body = message(hello);
    if (mutation === 'json-garbage') body[4 + int(Math.max(1, body.length - 8))] = 0xff;
    const id = 1 + int(1000);
    const chunk = 1 + int(12);
    const count = Math.ceil(body.length / chunk);
    let frames = Array.from({ length: count }, (_, i) => frame(id, i, count, body.length, body.subarray(i * chunk, (i + 1) * chunk)));
    const at = Math.max(0, count - 1 - int(Math.max(1, Math.floor(count / 5))));
    const f = frames[at]!;
    const v = new DataView(f.buffer);
    if (mutation === 'flip') {
      const i = int(f.length);
      f[i] = (f[i] ?? 0) ^ (1 + int(255));
    } else if (mutation === 'truncate') frames[at] = f.subarray(0, int(20));
    else if (mutation === 'bad-length') u32(v, 16, body.length + 1 + int(100));
    else if (mutation === 'huge-size') frames = [frame(id, 0, 1 + int(5000), 2 ** 31 + int(2 ** 30), body.subarray(0, chunk)), ...frames];
    else if (mutation === 'bad-magic') v.setUint8(int(2), int(256) === 0xfb ? 0 : int(256));
    else if (mutation === 'bad-index') u32(v, 8, count + int(1000));
    else if (mutation === 'junk-only') frames = [enc.encode('GET / HTTP/1.1\r\n\r\n')];
    body = new Uint8Array(0);
    frames.push(new Uint8Array([1, 2, 3])); // not a frame: ends the link if nothing before did
    return { frames, mutation };
  };
  const one = async (): Promise<void> => {
    const conn = peer.connect(args.room, { serialization: 'raw', reliable: true });
    const opened = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 15_000);
      conn.on('open', () => { clearTimeout(t); resolve(true); });
      conn.on('error', () => { clearTimeout(t); resolve(false); });
    });
    if (!opened) return;
    report.connections += 1;
    const closed = new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 8_000);
      conn.on('close', () => { clearTimeout(t); resolve(true); });
    });
    const { frames, mutation } = program();
    report.mutations[mutation] = (report.mutations[mutation] ?? 0) + 1;
    for (const f of frames) {
      try {
        conn.dataChannel.send(f as Uint8Array<ArrayBuffer>);
        report.framesSent += 1;
      } catch {
        break; // the coordinator already closed this link
      }
    }
    if (await closed) report.closedByCoordinator += 1;
    else conn.close();
  };
  let next = 0;
  await Promise.all(Array.from({ length: args.parallel }, async () => {
    while (next < args.connections) {
      next += 1;
      await one();
    }
  }));
  peer.destroy();
  return report;
}

/** Arguments of {@link insiderSession}. */
export interface InsiderArgs {
  room: string;
  token: string;
  name: string;
  /** never-sent: a result for a task never sent; replay: ack a real blob, then ack it again;
   * unknown-blob: ack a blob never sent; wrong-kind: answer a real task with another kind's result. */
  attack: 'never-sent' | 'replay' | 'unknown-blob' | 'wrong-kind';
}

/** What an insider session saw. */
export interface InsiderReport {
  welcomed: boolean;
  /** The real task id (wrong-kind) or blob id (replay) it attacked. */
  taskId?: string;
  closedByCoordinator: boolean;
  framesSent: number;
}

/**
 * Joins with the right token (a volunteer gone bad), heartbeats, then makes one attack. For
 * wrong-kind it acknowledges the partition it is sent, waits for the task, and answers it with a
 * result of another kind (refused, so the task goes elsewhere and the job's result is untouched).
 */
export async function insiderSession(args: InsiderArgs): Promise<InsiderReport> {
  type Conn = { on(e: string, f: (x?: unknown) => void): void; close(): void; dataChannel: RTCDataChannel };
  const w = window as unknown as { Peer: new (o: object) => { on(e: string, f: (x?: unknown) => void): void; connect(id: string, o: object): Conn; destroy(): void } };
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const report: InsiderReport = { welcomed: false, closedByCoordinator: false, framesSent: 0 };
  const peer = new w.Peer({ host: location.hostname, port: Number(location.port), path: '/peerjs', debug: 0, config: { iceServers: [] } });
  await new Promise<void>((resolve) => peer.on('open', () => resolve()));
  const conn = peer.connect(args.room, { serialization: 'raw', reliable: true });
  await new Promise<void>((resolve) => conn.on('open', () => resolve()));
  conn.dataChannel.binaryType = 'arraybuffer';
  let nextId = 1;
  const send = (header: unknown): void => {
    const json = enc.encode(JSON.stringify(header));
    const body = new Uint8Array(8 + json.length);
    new DataView(body.buffer).setUint32(0, json.length, true);
    body.set(json, 4);
    const f = new Uint8Array(20 + body.length);
    const v = new DataView(f.buffer);
    v.setUint8(0, 0xfb); v.setUint8(1, 1);
    v.setUint32(4, nextId++, true); v.setUint32(8, 0, true); v.setUint32(12, 1, true); v.setUint32(16, body.length, true);
    f.set(body, 20);
    try {
      conn.dataChannel.send(f);
      report.framesSent += 1;
    } catch {
      // closed by the coordinator
    }
  };
  // Reassemble the coordinator's messages (partitions arrive in many 256 KiB frames).
  const partial = new Map<number, Uint8Array[]>();
  const inbox: { type: string; [k: string]: unknown }[] = [];
  let wake: (() => void) | undefined;
  conn.dataChannel.addEventListener('message', (e: MessageEvent) => {
    const f = new Uint8Array(e.data as ArrayBuffer);
    const v = new DataView(f.buffer);
    const id = v.getUint32(4, true);
    const index = v.getUint32(8, true);
    const count = v.getUint32(12, true);
    const parts = partial.get(id) ?? [];
    parts.push(f.slice(20));
    partial.set(id, parts);
    if (index + 1 < count) return;
    partial.delete(id);
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { whole.set(p, at); at += p.length; }
    const len = new DataView(whole.buffer).getUint32(0, true);
    inbox.push(JSON.parse(dec.decode(whole.subarray(4, 4 + len))));
    wake?.();
  });
  const closed = new Promise<void>((resolve) => conn.on('close', () => resolve()));
  const waitFor = async (type: string, ms: number): Promise<{ [k: string]: unknown } | undefined> => {
    const end = Date.now() + ms;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0];
      if (Date.now() > end) return undefined;
      await Promise.race([new Promise<void>((r) => (wake = r)), new Promise((r) => setTimeout(r, 200)), closed]);
    }
  };
  send({ type: 'hello', protocol: 2, token: args.token, name: args.name, userAgent: 'insider', slots: [{ chosen: 'wasm', gflops: 1000, measurements: [], crossOriginIsolated: true }] });
  report.welcomed = (await waitFor('welcome', 20_000)) !== undefined;
  for (let i = 0; i < 5; i++) send({ type: 'heartbeat', sentAt: Date.now() });
  const heartbeat = setInterval(() => send({ type: 'heartbeat', sentAt: Date.now() }), 500);
  if (args.attack === 'never-sent') {
    send({ type: 'result', slot: 0, taskId: 'describe-999999-0', reply: { ok: true, result: { rows: 1, columns: [] }, ms: 1 } });
  } else if (args.attack === 'unknown-blob') {
    send({ type: 'cached', slot: 0, id: 'never-sent-blob', reply: { ok: true } });
  } else if (args.attack === 'replay') {
    // Replays the ack of a real blob. (A replayed task result is not used here: after the first
    // reply the coordinator may legitimately send the same task to this slot again, and the
    // replay then answers that; the property test replays results where no resend can happen.)
    const blob = await waitFor('partition', 60_000);
    if (blob) {
      const ack = { type: 'cached', slot: blob.slot, id: (blob.ref as { id: string }).id, reply: { ok: true } };
      report.taskId = String(ack.id);
      send(ack);
      send(ack);
    }
  } else {
    // Ack whatever blob arrives, until a task comes.
    const end = Date.now() + 60_000;
    let task: { [k: string]: unknown } | undefined;
    while (!task && Date.now() < end) {
      const blob = await waitFor('partition', 1000);
      if (blob) send({ type: 'cached', slot: blob.slot, id: (blob.ref as { id: string }).id, reply: { ok: true } });
      task = await waitFor('task', 500);
    }
    if (task) {
      const taskId = (task.task as { taskId: string }).taskId;
      report.taskId = taskId;
      send({ type: 'result', slot: task.slot, taskId, reply: { ok: true, result: { loss: 0.5, status: 'ok', params: {} }, ms: 1 } });
    }
  }
  report.closedByCoordinator = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  clearInterval(heartbeat);
  conn.close();
  peer.destroy();
  return report;
}
