/**
 * The volunteer page's node runtime: joins a coordinator over WebRTC (PeerJS, raw serialization,
 * our framing), starts its own slots, caches the partitions it is sent, and relays tasks to its
 * slots. It runs only registered task kinds: anything else closes the link.
 */
import * as Comlink from 'comlink';
import Peer, { type DataConnection } from 'peerjs';
import { fromPeerConnection, whenOpen } from '../link/peerjs-channel';
import { MessageLink } from '../link/message-link';
import { FabricError } from '../protocol/errors';
import { DEFAULT_LIMITS } from '../protocol/framing';
import { CoordinatorMessageSchema, PROTOCOL_VERSION, type CoordinatorMessage, type Standing, type VolunteerMessage } from '../protocol/messages';
import type { BackendName, ProbeReport, SlotMemory } from '../protocol/slot-api';
import { isTaskKind } from '../protocol/tasks';
import type { CacheReply } from '../protocol/slot-api';
import { BlobDb } from './blob-db';
import { corrupt, type LieMode } from './liar';
import { defaultSlotCount, startSlots, type SlotHandle } from './slots';

/** Where to join and as whom. */
export interface JoinOptions {
  /** The coordinator's peer id, from the join link. */
  readonly room: string;
  /** The room token, from the join link. */
  readonly token: string;
  readonly name?: string;
  /** Slots to start; one per core less one by default. */
  readonly slots?: number;
  /** Every task takes this many times as long (straggler demos). 1 is normal. */
  readonly slowdown?: number;
  /** Corrupt every result this way (tests and demos of verification mode; src/worker/liar.ts). */
  readonly lie?: LieMode | undefined;
  /** Use this tfjs backend (and for webgpu, the WGSL kernels) whatever the probe measures; for tests and demos. */
  readonly backend?: BackendName;
  /** ICE servers; none by default, which is right on a LAN. */
  readonly iceServers?: RTCIceServer[];
  /** Signalling server; this page's own origin by default. */
  readonly server?: { host: string; port: number; secure: boolean; path: string };
}

/** The volunteer's state, for its page. */
export type VolunteerState = 'starting' | 'probing' | 'connecting' | 'joined' | 'rejected' | 'removed' | 'disconnected';

/** What the volunteer page shows. */
export interface VolunteerStatus {
  state: VolunteerState;
  detail: string;
  nodeId?: string | undefined;
  slots: ProbeReport[];
  tasksDone: number;
  tasksRunning: number;
  partitionsCached: number;
  bytesIn: number;
  bytesOut: number;
  /** The nickname the coordinator shows. */
  name: string;
  /** Every task takes this many times as long (1 is normal); the coordinator may change it. */
  slowdown: number;
  /** Share of the work and rank among the live nodes, as the coordinator last said. */
  standing?: Standing | undefined;
}

/** Heartbeat period; the coordinator's welcome may change it. */
const HEARTBEAT_MS = 1000;
/** A coordinator silent this long is gone. Generous: a big partition can hold the line a while. */
const LOST_AFTER_MS = 10_000;

/** A joined (or joining) volunteer node. */
export class Volunteer {
  readonly status: VolunteerStatus = {
    state: 'starting', detail: 'starting', slots: [], tasksDone: 0, tasksRunning: 0, partitionsCached: 0, bytesIn: 0, bytesOut: 0, name: '', slowdown: 1,
  };
  private readonly listeners: ((s: VolunteerStatus) => void)[] = [];
  private slots: SlotHandle[] = [];
  private peer: Peer | undefined;
  private link: MessageLink<CoordinatorMessage, VolunteerMessage> | undefined;
  /** Models kept on disk across visits; undefined where IndexedDB is unavailable. */
  private blobDb: Promise<BlobDb | undefined> = BlobDb.open().catch(() => undefined);

  private constructor(private readonly options: JoinOptions) {
    this.status.name = options.name ?? '';
  }

  /** Starts slots and joins. Resolves once the coordinator has welcomed us. */
  static async join(options: JoinOptions, onStatus?: (s: VolunteerStatus) => void): Promise<Volunteer> {
    const v = new Volunteer(options);
    if (onStatus) v.onStatus(onStatus);
    await v.start();
    return v;
  }

  /** Registers a status listener. */
  onStatus(cb: (s: VolunteerStatus) => void): void {
    this.listeners.push(cb);
    cb(this.status);
  }

  /** Changes the slowdown of every slot. */
  async setSlowdown(factor: number): Promise<void> {
    await Promise.all(this.slots.map((s) => s.api.setSlowdown(factor)));
    this.update({ slowdown: factor });
  }

  /** Changes the nickname: sent with the hello, or to the coordinator at once when already joined. */
  setName(name: string): void {
    const trimmed = name.trim().slice(0, 64);
    this.update({ name: trimmed });
    if (trimmed && this.status.state === 'joined') void this.link?.send({ type: 'rename', name: trimmed }).catch(() => undefined);
  }

  /**
   * Destroys a slot's WebGPU devices (`device.destroy()`), as a real device loss looks to it; the
   * slot gets a new device or falls back, and the coordinator is sent its new report.
   */
  loseDevice(slot: number): Promise<ProbeReport> {
    const s = this.slots[slot];
    if (!s) return Promise.reject(new FabricError('bad-input', `loseDevice: this volunteer has no slot ${slot}; it has ${this.slots.length}`));
    return s.api.loseDevice();
  }

  /** A slot's memory counters (tensors, GPU buffers), after a garbage collection when one is exposed. */
  slotMemory(slot: number): Promise<SlotMemory> {
    const s = this.slots[slot];
    if (!s) return Promise.reject(new FabricError('bad-input', `slotMemory: this volunteer has no slot ${slot}; it has ${this.slots.length}`));
    return s.api.memory();
  }

  /** Leaves the fabric. */
  leave(reason = 'volunteer left'): void {
    void this.link?.send({ type: 'bye', reason }).catch(() => undefined);
    this.link?.close(new FabricError('link-closed', reason));
    this.peer?.destroy();
    for (const s of this.slots) s.worker.terminate();
  }

  /** A slot lost a WebGPU device: show what it uses now, and tell the coordinator. */
  private slotReport(slot: number, report: ProbeReport): void {
    const slots = [...this.status.slots];
    slots[slot] = report;
    this.update({ slots, detail: `slot ${slot + 1}: ${report.deviceLost?.detail ?? 'new report'}` });
    void this.link?.send({ type: 'slot-report', slot, report }).catch(() => undefined);
  }

  private update(patch: Partial<VolunteerStatus>): void {
    Object.assign(this.status, patch);
    if (this.link) {
      this.status.bytesIn = this.link.stats.bytesIn;
      this.status.bytesOut = this.link.stats.bytesOut;
    }
    for (const cb of this.listeners) cb(this.status);
  }

  private async start(): Promise<void> {
    const count = this.options.slots ?? defaultSlotCount();
    this.update({ state: 'probing', detail: `starting ${count} slot(s) and measuring webgpu, wasm and cpu` });
    this.slots = await startSlots(count, (i, report) => {
      this.update({ slots: [...this.status.slots, report], detail: `slot ${i + 1}/${count}: ${report.chosen} at ${report.gflops} GFLOP/s` });
    }, this.options.backend ? { backend: this.options.backend } : {});
    for (const [i, s] of this.slots.entries()) await s.api.watchReport(Comlink.proxy((report: ProbeReport) => this.slotReport(i, report)));
    if (this.options.slowdown && this.options.slowdown > 1) await this.setSlowdown(this.options.slowdown);
    this.update({ state: 'connecting', detail: 'connecting to the coordinator over WebRTC' });
    const conn = await this.connect();
    const link = new MessageLink<CoordinatorMessage, VolunteerMessage>(fromPeerConnection(conn), {
      schema: CoordinatorMessageSchema,
      heartbeat: () => ({ type: 'heartbeat', sentAt: Date.now() }),
      heartbeatMs: HEARTBEAT_MS,
      lostAfterMs: LOST_AFTER_MS,
      limits: DEFAULT_LIMITS,
      label: 'link to coordinator',
    });
    this.link = link;
    const welcomed = new Promise<void>((resolve, reject) => {
      link.onMessage((msg, payloads) => {
        if (msg.type === 'welcome') {
          this.update({ state: 'joined', nodeId: msg.nodeId, detail: 'joined: waiting for tasks' });
          resolve();
        } else if (msg.type === 'reject' && this.status.state === 'joined') {
          this.removed(msg.reason);
        } else if (msg.type === 'reject') {
          this.update({ state: 'rejected', detail: `the coordinator refused us: ${msg.reason}` });
          reject(new FabricError(msg.code, msg.reason));
        } else {
          this.handle(msg, payloads);
        }
      });
      link.onClose((reason) => {
        if (this.status.state !== 'rejected' && this.status.state !== 'removed') this.update({ state: 'disconnected', detail: `disconnected: ${reason.message}` });
        reject(reason);
      });
    });
    const stored = await this.blobDb.then((db) => db?.hashes()).catch(() => undefined);
    await link.send({
      type: 'hello', protocol: PROTOCOL_VERSION, token: this.options.token,
      name: this.status.name, userAgent: navigator.userAgent.slice(0, 512), slots: this.slots.map((s) => s.report),
      ...(stored && stored.length > 0 ? { stored: stored.slice(0, 256) } : {}),
    });
    await welcomed;
  }

  private connect(): Promise<DataConnection> {
    const server = this.options.server ?? {
      host: location.hostname,
      port: Number(location.port) || (location.protocol === 'https:' ? 443 : 80),
      secure: location.protocol === 'https:',
      path: '/peerjs',
    };
    const peer = new Peer({ ...server, debug: 0, config: { iceServers: this.options.iceServers ?? [] } });
    this.peer = peer;
    return new Promise((resolve, reject) => {
      peer.on('error', (e) => reject(new FabricError(e.type === 'peer-unavailable' ? 'bad-input' : 'peer-server-unavailable',
        e.type === 'peer-unavailable' ? `join: no coordinator is open at room "${this.options.room}". Check the join link, or reopen the coordinator page.` : `join: ${e.message}`)));
      peer.on('open', () => {
        const conn = peer.connect(this.options.room, { serialization: 'raw', reliable: true });
        whenOpen(conn, 20_000).then(() => resolve(conn), reject);
      });
    });
  }

  /**
   * The coordinator removed this node after it joined: say so, and stop for good. The page does not
   * rejoin on its own (its peer id is refused anyway); the person can reopen the join link.
   */
  private removed(reason: string): void {
    this.update({ state: 'removed', detail: reason.startsWith('removed by the coordinator') ? reason : `removed by the coordinator: ${reason}` });
    this.link?.close(new FabricError('removed', reason));
    this.peer?.destroy();
    for (const s of this.slots) s.worker.terminate();
  }

  /** Caches a partition or an artifact on the slot the message names, and acknowledges it. */
  private cacheBlob(msg: Extract<CoordinatorMessage, { type: 'partition' | 'artifact' }>, bytes: Uint8Array | undefined): void {
    const link = this.link!;
    const slot = this.slots[msg.slot];
    if (!slot || !bytes) {
      link.close(new FabricError('schema-mismatch', `${msg.type} message names slot ${msg.slot} of ${this.slots.length} or has no payload`));
      return;
    }
    if (msg.type === 'partition') this.update({ detail: `caching partition ${msg.ref.index} (${(msg.ref.byteLength / 1048576).toFixed(1)} MiB)` });
    const own = bytes.slice().buffer;
    // A model is also kept on disk (once its hash checks out in the slot), so a reload need not fetch it.
    const keep = msg.type === 'artifact' && msg.keep ? bytes.slice().buffer : undefined;
    const cached = msg.type === 'partition'
      ? slot.api.cachePartition(msg.ref, Comlink.transfer(own, [own]))
      : slot.api.cacheArtifact(msg.ref, Comlink.transfer(own, [own]));
    void cached.then((reply) => {
      if (reply.ok && msg.type === 'partition') this.update({ partitionsCached: this.status.partitionsCached + 1 });
      if (reply.ok && keep) void this.blobDb.then((db) => db?.put(msg.ref.hash, keep)).catch(() => undefined);
      return link.send({ type: 'cached', slot: msg.slot, id: msg.ref.id, reply });
    }).catch(() => undefined);
  }

  /** Caches an artifact kept on disk on the slot the message names; answers not-cached when the disk no longer has it. */
  private cacheStored(msg: Extract<CoordinatorMessage, { type: 'artifact-stored' }>): void {
    const link = this.link!;
    const slot = this.slots[msg.slot];
    if (!slot) {
      link.close(new FabricError('schema-mismatch', `artifact-stored message names slot ${msg.slot} of ${this.slots.length}`));
      return;
    }
    void this.blobDb.then((db) => db?.get(msg.ref.hash)).catch(() => undefined).then((bytes): Promise<CacheReply> | CacheReply => {
      if (!bytes) return { ok: false, error: new FabricError('not-cached', `artifact ${msg.ref.id} is no longer stored on this volunteer`).toJSON() };
      this.update({ detail: `loaded model ${msg.ref.id} from this browser's storage` });
      return slot.api.cacheArtifact(msg.ref, Comlink.transfer(bytes, [bytes]));
    }).then((reply) => link.send({ type: 'cached', slot: msg.slot, id: msg.ref.id, reply })).catch(() => undefined);
  }

  private handle(msg: CoordinatorMessage, payloads: readonly Uint8Array[]): void {
    const link = this.link!;
    switch (msg.type) {
      case 'heartbeat':
      case 'welcome':
      case 'reject':
        return;
      case 'partition':
      case 'artifact':
        this.cacheBlob(msg, payloads[0]);
        return;
      case 'artifact-stored':
        this.cacheStored(msg);
        return;
      case 'slowdown':
        void this.setSlowdown(msg.factor).then(() => this.update({ detail: msg.factor > 1 ? `the coordinator slowed this device ${msg.factor}x (a fault demo)` : 'the coordinator set this device back to normal speed' }));
        return;
      case 'standing':
        this.update({ standing: msg.standing });
        return;
      case 'task': {
        const slot = this.slots[msg.slot];
        if (!isTaskKind(msg.task.kind)) {
          link.close(new FabricError('unknown-task-kind', `the coordinator asked for task kind "${msg.task.kind}", which this volunteer does not run`));
          return;
        }
        if (!slot) {
          link.close(new FabricError('schema-mismatch', `task names slot ${msg.slot} of ${this.slots.length}`));
          return;
        }
        this.update({ tasksRunning: this.status.tasksRunning + 1, detail: msg.task.partitions.length > 0 ? `running ${msg.task.kind} on partition ${msg.task.partitions.map((p) => p.index).join(', ')}` : `running ${msg.task.kind}` });
        const inputs = payloads.map((p) => p.slice());
        void slot.api.run(Comlink.transfer({ ...msg.task, kind: msg.task.kind, binary: inputs }, inputs.map((p) => p.buffer))).then((reply) => {
          this.update({ tasksRunning: this.status.tasksRunning - 1, tasksDone: this.status.tasksDone + (reply.ok ? 1 : 0), detail: reply.ok ? `done ${msg.task.kind} in ${Math.round(reply.ms)} ms` : `task failed: ${reply.error.message}` });
          if (!reply.ok) return link.send({ type: 'result', slot: msg.slot, taskId: msg.task.taskId, reply });
          const { binary, ...rest } = reply;
          const outputs = this.options.lie ? corrupt(this.options.lie, binary ?? []) : binary ?? [];
          return link.send({ type: 'result', slot: msg.slot, taskId: msg.task.taskId, reply: rest }, outputs);
        }).catch(() => undefined);
      }
    }
  }
}
