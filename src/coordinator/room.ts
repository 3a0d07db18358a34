/**
 * The room volunteers join: a PeerJS peer with a random id, and a room token of 144 random bits
 * that every joiner must present. The token travels in the join link's fragment (after `#`), so it
 * never reaches a server log. A wrong token, a malformed frame, an oversize message or a message
 * that fails its schema closes that link with a logged reason; the room goes on.
 */
import Peer, { type DataConnection } from 'peerjs';
import { fromPeerConnection, whenOpen } from '../link/peerjs-channel';
import { MessageLink } from '../link/message-link';
import { FabricError } from '../protocol/errors';
import { DEFAULT_LIMITS, type FrameLimits } from '../protocol/framing';
import { PROTOCOL_VERSION, VolunteerMessageSchema, type CoordinatorMessage, type VolunteerMessage } from '../protocol/messages';
import type { BlobStore } from './blob-store';
import { VolunteerNode } from './volunteer-node';

/** Where the PeerServer is. */
export interface SignalServer {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly path: string;
}

/** Room settings. */
export interface RoomOptions {
  readonly server: SignalServer;
  readonly iceServers?: RTCIceServer[] | undefined;
  /** Heartbeat period on every link. */
  readonly heartbeatMs?: number | undefined;
  /** A link silent this long is lost. */
  readonly lostAfterMs?: number | undefined;
  readonly store: BlobStore;
  readonly onVolunteer: (node: VolunteerNode) => void;
  readonly log: (level: 'info' | 'warn', text: string) => void;
}

/**
 * Caps on what a volunteer may send. Results are small (a describe result is a few KiB); 64 MiB
 * leaves room for the gradients of a 1M-parameter model and refuses anything absurd.
 */
export const VOLUNTEER_LIMITS: FrameLimits = { ...DEFAULT_LIMITS, maxMessageBytes: 64 * 1024 * 1024 };
/** A joiner has this long to say hello. */
const HELLO_TIMEOUT_MS = 10_000;

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Compares in time that does not depend on where the strings differ. */
function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/** An open room. */
export class Room {
  /** The coordinator's peer id, which the join link names. */
  readonly id: string;
  /** The secret a volunteer must present. */
  readonly token: string;
  private nextNode = 1;

  private constructor(private readonly peer: Peer, private readonly options: RoomOptions) {
    this.id = peer.id;
    this.token = randomToken(18);
    peer.on('connection', (conn) => void this.admit(conn));
    peer.on('error', (e) => options.log('warn', `signalling: ${e.type}: ${e.message}`));
    peer.on('disconnected', () => {
      options.log('warn', 'signalling server connection lost; reconnecting (joined volunteers are not affected)');
      setTimeout(() => !peer.destroyed && peer.reconnect(), 1000);
    });
  }

  /** Opens a room on the PeerServer. */
  static open(options: RoomOptions): Promise<Room> {
    const peer = new Peer(`fabric-${randomHex(8)}`, { ...options.server, debug: 0, config: { iceServers: options.iceServers ?? [] } });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new FabricError('peer-server-unavailable', `Room.open: the PeerServer at ${options.server.host}:${options.server.port}${options.server.path} did not answer within 10 s. Is the Fabric server running (npm start)?`)), 10_000);
      peer.once('open', () => {
        clearTimeout(timer);
        resolve(new Room(peer, options));
      });
      peer.once('error', (e) => {
        clearTimeout(timer);
        reject(new FabricError('peer-server-unavailable', `Room.open: ${e.message}`));
      });
    });
  }

  /** The join link for volunteers, on `origin` (this page's, or the LAN address). */
  joinLink(origin: string): string {
    return `${origin}/join.html#room=${encodeURIComponent(this.id)}&token=${encodeURIComponent(this.token)}`;
  }

  /** Closes the room and its signalling connection. */
  close(): void {
    this.peer.destroy();
  }

  private async admit(conn: DataConnection): Promise<void> {
    const who = conn.peer.slice(0, 12);
    if (conn.serialization !== 'raw') {
      this.options.log('warn', `refused ${who}: it asked for serialization "${conn.serialization}", Fabric links use "raw"`);
      conn.close();
      return;
    }
    try {
      await whenOpen(conn, 20_000);
    } catch (e) {
      this.options.log('warn', `refused ${who}: ${(e as Error).message}`);
      conn.close();
      return;
    }
    const link = new MessageLink<VolunteerMessage, CoordinatorMessage>(fromPeerConnection(conn), {
      schema: VolunteerMessageSchema,
      heartbeat: () => ({ type: 'heartbeat', sentAt: Date.now() }),
      heartbeatMs: this.options.heartbeatMs ?? 1000,
      lostAfterMs: this.options.lostAfterMs ?? 10_000,
      limits: VOLUNTEER_LIMITS,
      label: `link from ${who}`,
    });
    let node: VolunteerNode | undefined;
    const helloTimer = setTimeout(() => link.close(new FabricError('schema-mismatch', `${who} sent no hello within ${HELLO_TIMEOUT_MS} ms`)), HELLO_TIMEOUT_MS);
    link.onClose((reason) => {
      clearTimeout(helloTimer);
      // A joined node's loss is logged by the cluster; here only links that never joined.
      if (!node) this.options.log('warn', `closed link from ${who} before it joined: [${reason.code}] ${reason.message}`);
    });
    link.onMessage((msg, payloads) => {
      if (node) {
        node.handle(msg, payloads);
        return;
      }
      clearTimeout(helloTimer);
      if (msg.type !== 'hello') {
        link.close(new FabricError('schema-mismatch', `${who} sent "${msg.type}" before hello`));
        return;
      }
      if (msg.protocol !== PROTOCOL_VERSION) {
        this.reject(link, new FabricError('bad-input', `${who} speaks protocol ${msg.protocol}; this coordinator speaks ${PROTOCOL_VERSION}. Reload the volunteer page.`));
        return;
      }
      if (!sameToken(msg.token, this.token)) {
        this.reject(link, new FabricError('bad-token', `${who} presented a wrong room token. Join from the coordinator's current link or QR code.`));
        return;
      }
      const id = `v${this.nextNode++}`;
      const name = msg.name.trim() || `${id} (${who})`;
      node = new VolunteerNode(id, name, msg.slots, link, this.options.store, msg.stored ?? []);
      void link.send({ type: 'welcome', nodeId: id, heartbeatMs: this.options.heartbeatMs ?? 1000, lostAfterMs: this.options.lostAfterMs ?? 10_000 }).catch(() => undefined);
      this.options.log('info', `volunteer ${name} joined with ${msg.slots.length} slot(s): ${msg.slots.map((s) => `${s.chosen} ${s.gflops} GFLOP/s`).join(', ')}`);
      this.options.onVolunteer(node);
    });
  }

  private reject(link: MessageLink<VolunteerMessage, CoordinatorMessage>, reason: FabricError): void {
    // Say why before closing, so the volunteer page can show it; close even if the send fails.
    void link.send({ type: 'reject', code: reason.code, reason: reason.message })
      .finally(() => setTimeout(() => link.close(reason), 200));
  }
}
