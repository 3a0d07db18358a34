/**
 * A typed, framed, flow-controlled message link over a {@link ByteChannel}.
 *
 * - Sending: each message is encoded and cut into frames. Frames go out while the channel's buffer
 *   is under the high-water mark, then wait for it to drain to the low-water mark. Control messages
 *   overtake bulk ones frame by frame, so a heartbeat never waits behind a 100 MB partition.
 * - Receiving: frames are reassembled under size caps, decoded, and parsed by the schema. The first
 *   bad frame, oversize message or schema failure closes the link with that reason.
 * - Liveness: a heartbeat goes out every `heartbeatMs`; a link that hears nothing for
 *   `lostAfterMs` closes with `link-closed`.
 */
import type { z } from 'zod';
import { FabricError } from '../protocol/errors';
import { decodeMessage, DEFAULT_LIMITS, encodeMessage, Reassembler, toFrames, type FrameLimits } from '../protocol/framing';
import type { ByteChannel } from './byte-channel';

/** Send lanes: control frames go before bulk frames. */
export type Lane = 'control' | 'bulk';

/** How a link behaves. */
export interface LinkOptions<In, Out> {
  /** Parses every incoming header. */
  readonly schema: z.ZodType<In>;
  /** Builds the heartbeat message this side sends. */
  readonly heartbeat: () => Out;
  readonly heartbeatMs: number;
  readonly lostAfterMs: number;
  readonly limits?: FrameLimits;
  /**
   * Send buffer marks. 4 MiB high and 1 MiB low kept a raw data channel at full speed here
   * (TESTING-NOTES.md); lower marks starve the SCTP window.
   */
  readonly highWaterBytes?: number;
  readonly lowWaterBytes?: number;
  /** Used in close reasons and logs. */
  readonly label: string;
}

interface Outgoing {
  readonly frames: Uint8Array<ArrayBuffer>[];
  next: number;
  readonly resolve: () => void;
  readonly reject: (e: FabricError) => void;
}

/** Byte and message counters of a link. */
export interface LinkStats {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** Frames taken while the link was open and reading (a hostile peer's are counted up to its first violation). */
  framesIn: number;
}

/** A message link. `In` is what the peer sends us; `Out` is what we send. */
export class MessageLink<In, Out> {
  readonly stats: LinkStats = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, framesIn: 0 };
  private readonly reassembler: Reassembler;
  private readonly lanes: Record<Lane, Outgoing[]> = { control: [], bulk: [] };
  private nextMessageId = 1;
  private waitingForDrain = false;
  private closedWith: FabricError | undefined;
  private reading = true;
  private lastHeard = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly messageHandlers: ((msg: In, payloads: readonly Uint8Array[]) => void)[] = [];
  private readonly closeHandlers: ((reason: FabricError) => void)[] = [];
  private readonly high: number;
  private readonly low: number;

  constructor(private readonly channel: ByteChannel, private readonly options: LinkOptions<In, Out>) {
    this.reassembler = new Reassembler(options.limits ?? DEFAULT_LIMITS);
    this.high = options.highWaterBytes ?? 4 * 1024 * 1024;
    this.low = options.lowWaterBytes ?? 1024 * 1024;
    channel.onMessage((bytes) => this.receive(bytes));
    channel.onClose(() => this.close(new FabricError('link-closed', `${options.label}: the channel closed`)));
    this.timer = setInterval(() => this.tick(), options.heartbeatMs);
  }

  /** Why the link closed, or undefined while open. */
  get closeReason(): FabricError | undefined {
    return this.closedWith;
  }

  /** Registers the receiver of each schema-checked message. */
  onMessage(handler: (msg: In, payloads: readonly Uint8Array[]) => void): void {
    this.messageHandlers.push(handler);
  }

  /** Registers a callback for the close, called once with the reason. */
  onClose(handler: (reason: FabricError) => void): void {
    if (this.closedWith) handler(this.closedWith);
    else this.closeHandlers.push(handler);
  }

  /**
   * Queues a message. Resolves when its last frame is handed to the channel; rejects with
   * `link-closed` if the link closes first.
   */
  send(message: Out, payloads: readonly Uint8Array[] = [], lane: Lane = 'control'): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const frames = toFrames(this.nextMessageId++, encodeMessage(message, payloads), this.channel.maxMessageBytes);
    return new Promise<void>((resolve, reject) => {
      this.lanes[lane].push({ frames, next: 0, resolve, reject });
      this.stats.messagesOut += 1;
      this.pump();
    });
  }

  /** Sends frames as bytes, bypassing encoding. Only for tests that attack a peer. */
  sendRawFrame(frame: Uint8Array<ArrayBuffer>): void {
    this.channel.send(frame);
  }

  /**
   * Stops taking incoming messages, while sending goes on: for a peer that is being refused or
   * removed, whose last words must not change the reason its link closes with.
   */
  stopReading(): void {
    this.reading = false;
  }

  /** Closes the link with a reason (once). */
  close(reason: FabricError): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    clearInterval(this.timer);
    for (const lane of Object.values(this.lanes)) {
      for (const out of lane.splice(0)) out.reject(reason);
    }
    try {
      this.channel.close();
    } catch {
      // Already closed by the other side: nothing left to release.
    }
    for (const h of this.closeHandlers.splice(0)) h(reason);
  }

  private pump(): void {
    if (this.waitingForDrain || this.closedWith) return;
    try {
      for (;;) {
        const lane = this.lanes.control.length > 0 ? this.lanes.control : this.lanes.bulk;
        const out = lane[0];
        if (!out) return;
        if (this.channel.bufferedAmount > this.high) {
          this.waitingForDrain = true;
          this.channel.whenDrained(this.low, () => {
            this.waitingForDrain = false;
            this.pump();
          });
          return;
        }
        const frame = out.frames[out.next++]!;
        this.channel.send(frame);
        this.stats.bytesOut += frame.byteLength;
        if (out.next === out.frames.length) {
          lane.shift();
          out.resolve();
        }
      }
    } catch (e) {
      this.close(new FabricError('link-closed', `${this.options.label}: send failed (${(e as Error).message})`));
    }
  }

  private receive(bytes: Uint8Array): void {
    if (this.closedWith || !this.reading) return;
    this.lastHeard = Date.now();
    this.stats.bytesIn += bytes.byteLength;
    this.stats.framesIn += 1;
    let message: { data: In; payloads: readonly Uint8Array[] };
    try {
      const whole = this.reassembler.push(bytes);
      if (!whole) return;
      const raw = decodeMessage(whole, this.options.limits ?? DEFAULT_LIMITS);
      const parsed = this.options.schema.safeParse(raw.header);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new FabricError('schema-mismatch', `${this.options.label}: message failed its schema at "${first?.path.join('.') ?? ''}": ${first?.message ?? 'invalid'}`);
      }
      message = { data: parsed.data, payloads: raw.payloads };
    } catch (e) {
      this.close(FabricError.from(e, 'bad-frame'));
      return;
    }
    this.stats.messagesIn += 1;
    for (const h of this.messageHandlers) {
      try {
        h(message.data, message.payloads);
      } catch (e) {
        // Our own handler failed: a bug here, not the peer's fault, so it is not blamed on the peer.
        this.close(new FabricError('internal', `${this.options.label}: a message handler threw: ${(e as Error)?.message ?? String(e)}`, { cause: e }));
        return;
      }
    }
  }

  private tick(): void {
    if (this.closedWith) return;
    if (Date.now() - this.lastHeard > this.options.lostAfterMs) {
      this.close(new FabricError('link-closed', `${this.options.label}: heard nothing for ${this.options.lostAfterMs} ms (heartbeat stopped)`));
      return;
    }
    // Heartbeats ride the control lane; a link busy sending still heartbeats between frames.
    void this.send(this.options.heartbeat()).catch(() => undefined);
  }
}
