/**
 * What the room does with a volunteer's link once its data channel is open, apart from PeerJS: wait
 * for a hello, check it (rate limit, protocol version, room token), then hand every later message
 * to the {@link VolunteerNode}. Kept free of PeerJS so property tests drive it with forged frames
 * over an in-memory channel.
 *
 * Every refusal closes the link with a FabricError whose code names the violation; nothing a peer
 * sends can make this code throw (the link would then close with `internal`, which tests forbid).
 */
import type { MessageLink } from '../link/message-link';
import { FabricError } from '../protocol/errors';
import { DEFAULT_LIMITS, type FrameLimits } from '../protocol/framing';
import { PROTOCOL_VERSION, type CoordinatorMessage, type VolunteerMessage } from '../protocol/messages';
import type { BlobStore } from './blob-store';
import { sameToken, type JoinRateLimiter } from './join-guard';
import { VolunteerNode } from './volunteer-node';

/**
 * Caps on what a volunteer may send. Results are small (a describe result is a few KiB); 64 MiB
 * leaves room for the gradients of a 1M-parameter model and refuses anything absurd.
 */
export const VOLUNTEER_LIMITS: FrameLimits = { ...DEFAULT_LIMITS, maxMessageBytes: 64 * 1024 * 1024 };

/** A link to a peer that wants to join. */
export type VolunteerLink = MessageLink<VolunteerMessage, CoordinatorMessage>;

/** What admission needs from its room. */
export interface AdmissionContext {
  readonly token: string;
  readonly limiter: JoinRateLimiter;
  readonly store: BlobStore;
  readonly heartbeatMs: number;
  readonly lostAfterMs: number;
  /** A joiner has this long to say hello. */
  readonly helloTimeoutMs: number;
  /** The next node id (`v1`, `v2`, ...). */
  readonly nextNodeId: () => string;
  readonly onVolunteer: (node: VolunteerNode, link: VolunteerLink) => void;
  /** Called once for every link closed before it joined, with why. */
  readonly onRefused: (reason: FabricError, link: VolunteerLink) => void;
  readonly log: (level: 'info' | 'warn', text: string) => void;
}

/** Runs the handshake on `link`; `who` names the peer in logs. */
export function admit(link: VolunteerLink, who: string, ctx: AdmissionContext): void {
  let node: VolunteerNode | undefined;
  const helloTimer = setTimeout(() => link.close(new FabricError('protocol-violation', `${who} sent no hello within ${ctx.helloTimeoutMs} ms`)), ctx.helloTimeoutMs);
  link.onClose((reason) => {
    clearTimeout(helloTimer);
    // A joined node's loss is logged by the cluster; here only links that never joined.
    if (node) return;
    ctx.log('warn', `closed link from ${who} before it joined: [${reason.code}] ${reason.message}`);
    ctx.onRefused(reason, link);
  });
  link.onMessage((msg, payloads) => {
    if (node) {
      node.handle(msg, payloads);
      return;
    }
    clearTimeout(helloTimer);
    if (msg.type !== 'hello') {
      link.close(new FabricError('protocol-violation', `${who} sent "${msg.type}" before hello`));
      return;
    }
    // Counted before the token is checked, keyed by the token presented, so guessing is limited too.
    if (!ctx.limiter.attempt(msg.token)) {
      refuse(link, new FabricError('rate-limited', `${who}: too many join attempts with this token in a short time. Wait 10 seconds, then join again.`));
      return;
    }
    if (msg.protocol !== PROTOCOL_VERSION) {
      refuse(link, new FabricError('bad-input', `${who} speaks protocol ${msg.protocol}; this coordinator speaks ${PROTOCOL_VERSION}. Reload the volunteer page.`));
      return;
    }
    if (!sameToken(msg.token, ctx.token)) {
      refuse(link, new FabricError('bad-token', `${who} presented a wrong room token. Join from the coordinator's current link or QR code.`));
      return;
    }
    const id = ctx.nextNodeId();
    const name = msg.name.trim() || `${id} (${who})`;
    node = new VolunteerNode(id, name, msg.slots, link, ctx.store, msg.stored ?? []);
    void link.send({ type: 'welcome', nodeId: id, heartbeatMs: ctx.heartbeatMs, lostAfterMs: ctx.lostAfterMs }).catch(() => undefined);
    ctx.log('info', `volunteer ${name} joined with ${msg.slots.length} slot(s): ${msg.slots.map((s) => `${s.chosen} ${s.gflops} GFLOP/s`).join(', ')}`);
    ctx.onVolunteer(node, link);
  });
}

/** How long a refused peer's link stays open so the reason reaches it before the close. */
export const REFUSE_GRACE_MS = 200;

/**
 * Tells the peer why, then closes. Messages that arrive in the grace period are ignored: the link
 * stops reading at once, so the close reason stays the refusal.
 */
export function refuse(link: VolunteerLink, reason: FabricError): void {
  link.stopReading();
  void link.send({ type: 'reject', code: reason.code, reason: reason.message })
    .finally(() => setTimeout(() => link.close(reason), REFUSE_GRACE_MS));
}
