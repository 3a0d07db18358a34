/**
 * The small adapter from a PeerJS `DataConnection` to a {@link ByteChannel}.
 *
 * PeerJS gives us signalling and the `RTCDataChannel`; we send on that channel ourselves with
 * flow control on `bufferedamountlow`. PeerJS's own `raw` send polls a full buffer every 50 ms,
 * and its `binary` mode (16 KiB chunks, BinaryPack) ran at 0.72-0.79 of a raw channel against this
 * link's 0.86-0.97 (bench/results/transport.md). The connection must use `serialization: 'raw'` so
 * PeerJS passes our bytes through untouched.
 */
import type { DataConnection } from 'peerjs';
import { fromDataChannel, maxMessageBytesOf, type ByteChannel } from './byte-channel';

/** Wraps an open PeerJS connection. */
export function fromPeerConnection(conn: DataConnection): ByteChannel {
  const base = fromDataChannel(conn.dataChannel, maxMessageBytesOf(conn.peerConnection));
  let closed = false;
  const closeCallbacks: (() => void)[] = [];
  const fireClose = (): void => {
    if (closed) return;
    closed = true;
    for (const cb of closeCallbacks) cb();
  };
  conn.on('close', fireClose);
  conn.on('error', fireClose);
  base.onClose(fireClose);
  // ICE failing (a peer that vanished without closing) also ends the link.
  conn.peerConnection?.addEventListener('connectionstatechange', () => {
    const s = conn.peerConnection.connectionState;
    if (s === 'failed' || s === 'closed') fireClose();
  });
  return {
    ...base,
    get bufferedAmount() {
      return conn.dataChannel.bufferedAmount;
    },
    onClose(cb) {
      closeCallbacks.push(cb);
    },
    close() {
      conn.close();
    },
  };
}

/** Waits until a PeerJS connection is open, or rejects on error or timeout. */
export function whenOpen(conn: DataConnection, timeoutMs: number): Promise<void> {
  if (conn.open) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the data channel did not open within ${timeoutMs} ms`)), timeoutMs);
    conn.on('open', () => {
      clearTimeout(timer);
      resolve();
    });
    conn.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
