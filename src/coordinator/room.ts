/**
 * The room volunteers join: a PeerJS peer with a random id, and a room token of 144 random bits
 * that every joiner must present. The token travels in the join link's fragment (after `#`), so it
 * never reaches a server log. The handshake is in admission.ts: a wrong token, too many joins with
 * one token, a malformed frame, an oversize message or a message that fails its schema closes that
 * link with a logged reason; the room goes on. A volunteer can be removed ({@link Room.kick}).
 */
import Peer, { type DataConnection } from 'peerjs';
import { fromPeerConnection, whenOpen } from '../link/peerjs-channel';
import { MessageLink } from '../link/message-link';
import { FabricError } from '../protocol/errors';
import { VolunteerMessageSchema, type CoordinatorMessage, type VolunteerMessage } from '../protocol/messages';
import { admit, refuse, VOLUNTEER_LIMITS, type VolunteerLink } from './admission';
import type { BlobStore } from './blob-store';
import { JoinRateLimiter } from './join-guard';
import type { VolunteerNode } from './volunteer-node';

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

export { VOLUNTEER_LIMITS } from './admission';
/** A joiner has this long to say hello. */
const HELLO_TIMEOUT_MS = 10_000;

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Every volunteer link the room has seen close, for the dashboard and the hostile-peer tests. */
export interface LinkCloseStats {
  /** Links closed before joining (refused). */
  refused: number;
  /** Links closed after joining (left, lost, removed, or broke the protocol). */
  left: number;
  /** Frames all those links delivered while they were open. */
  frames: number;
  /** Links by the code they were closed with, joined or not. */
  byCode: Record<string, number>;
  /** Connections refused at once because their peer id was removed. */
  banned: number;
}

/** An open room. */
export class Room {
  /** The coordinator's peer id, which the join link names. */
  readonly id: string;
  /** The secret a volunteer must present. */
  readonly token: string;
  private nextNode = 1;
  private readonly limiter = new JoinRateLimiter();
  /** Peer ids removed with {@link kick}: not admitted again while the room is open. */
  private readonly banned = new Set<string>();
  private readonly joined = new Map<string, { peerId: string; link: VolunteerLink }>();
  private readonly closes: LinkCloseStats = { refused: 0, left: 0, frames: 0, byCode: {}, banned: 0 };

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
    if (this.banned.has(conn.peer)) {
      this.closes.banned += 1;
      this.options.log('warn', `refused ${who}: it was removed from this room`);
      conn.close();
      return;
    }
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
    admit(link, who, {
      token: this.token,
      limiter: this.limiter,
      store: this.options.store,
      heartbeatMs: this.options.heartbeatMs ?? 1000,
      lostAfterMs: this.options.lostAfterMs ?? 10_000,
      helloTimeoutMs: HELLO_TIMEOUT_MS,
      nextNodeId: () => `v${this.nextNode++}`,
      onVolunteer: (node, joinedLink) => {
        this.joined.set(node.id, { peerId: conn.peer, link: joinedLink });
        joinedLink.onClose((reason) => {
          this.joined.delete(node.id);
          this.recordClose(reason, joinedLink, 'left');
        });
        this.options.onVolunteer(node);
      },
      onRefused: (reason, refusedLink) => this.recordClose(reason, refusedLink, 'refused'),
      log: this.options.log,
    });
  }

  /** Counts of closed links so far (a copy). */
  linkCloseStats(): LinkCloseStats {
    return { ...this.closes, byCode: { ...this.closes.byCode } };
  }

  private recordClose(reason: FabricError, link: VolunteerLink, how: 'refused' | 'left'): void {
    this.closes[how] += 1;
    this.closes.frames += link.stats.framesIn;
    this.closes.byCode[reason.code] = (this.closes.byCode[reason.code] ?? 0) + 1;
  }

  /**
   * Removes a joined volunteer: tells it why, closes its link (its node is lost, so its tasks are
   * queued again), and refuses its peer id for as long as the room is open. Returns false when no
   * joined volunteer has that node id.
   */
  kick(nodeId: string, reason: string): boolean {
    const entry = this.joined.get(nodeId);
    if (!entry) return false;
    this.banned.add(entry.peerId);
    this.joined.delete(nodeId);
    refuse(entry.link, new FabricError('removed', `removed by the coordinator: ${reason}`));
    return true;
  }
}
