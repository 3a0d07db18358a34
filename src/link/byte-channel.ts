/**
 * The one shape a link needs from a transport: an ordered, reliable channel of binary messages
 * with a send buffer it can watch. An `RTCDataChannel` is one; {@link fromDataChannel} fits it,
 * and tests fit an in-memory pair.
 */

/** An ordered, reliable message channel. */
export interface ByteChannel {
  /** Sends one message. Must not be called with more than {@link maxMessageBytes}. */
  send(bytes: Uint8Array<ArrayBuffer>): void;
  /** Bytes queued in the transport and not yet sent. */
  readonly bufferedAmount: number;
  /** Largest message the transport accepts. */
  readonly maxMessageBytes: number;
  /** Calls `cb` once when the queued bytes drop to `threshold` or below. */
  whenDrained(threshold: number, cb: () => void): void;
  /** Registers the receiver of every incoming message. */
  onMessage(cb: (bytes: Uint8Array) => void): void;
  /** Registers a callback for when the channel closes, from either side. */
  onClose(cb: () => void): void;
  close(): void;
}

/** Fits an `RTCDataChannel` (binaryType `arraybuffer`) to {@link ByteChannel}. */
export function fromDataChannel(dc: RTCDataChannel, maxMessageBytes: number): ByteChannel {
  dc.binaryType = 'arraybuffer';
  const drainWaiters: { threshold: number; cb: () => void }[] = [];
  dc.addEventListener('bufferedamountlow', () => {
    const ready = drainWaiters.filter((w) => dc.bufferedAmount <= w.threshold);
    for (const w of ready) drainWaiters.splice(drainWaiters.indexOf(w), 1);
    for (const w of ready) w.cb();
    if (drainWaiters.length > 0) dc.bufferedAmountLowThreshold = Math.max(...drainWaiters.map((w) => w.threshold));
  });
  return {
    send: (bytes) => dc.send(bytes),
    get bufferedAmount() {
      return dc.bufferedAmount;
    },
    maxMessageBytes,
    whenDrained(threshold, cb) {
      if (dc.bufferedAmount <= threshold) {
        cb();
        return;
      }
      drainWaiters.push({ threshold, cb });
      dc.bufferedAmountLowThreshold = Math.max(...drainWaiters.map((w) => w.threshold));
    },
    onMessage(cb) {
      dc.addEventListener('message', (e: MessageEvent) => {
        const d: unknown = e.data;
        if (d instanceof ArrayBuffer) cb(new Uint8Array(d));
        else if (typeof d === 'string') cb(new TextEncoder().encode(d)); // rejected later as a bad frame
      });
    },
    onClose(cb) {
      dc.addEventListener('close', () => cb());
    },
    close: () => dc.close(),
  };
}

/**
 * The largest message a peer connection takes: the SCTP limit both sides agreed on, capped at
 * 256 KiB because Chromium throws on a larger `send()` whatever it advertises.
 */
export function maxMessageBytesOf(pc: RTCPeerConnection | undefined): number {
  const negotiated = pc?.sctp?.maxMessageSize;
  const cap = 256 * 1024;
  return negotiated && Number.isFinite(negotiated) && negotiated > 0 ? Math.min(cap, negotiated) : cap;
}
