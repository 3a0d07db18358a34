/**
 * Mounts the PeerJS signalling server (`peer` package) on the same HTTP server as Vite.
 *
 * Two traps, both measured here (see TESTING-NOTES.md):
 * - `ExpressPeerServer` wires itself up only on express's `mount` event, which Vite's connect
 *   stack never fires, so it is mounted inside an express app that Vite then uses as middleware.
 * - Its WebSocket server, left to attach to the HTTP server, answers every other upgrade with 400
 *   and breaks Vite's HMR socket. We give it a `noServer` WebSocket server and route to it only
 *   the upgrades whose path is its own.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { ExpressPeerServer } from 'peer';
import { WebSocketServer, type ServerOptions } from 'ws';

/** Where PeerJS clients find the signalling server: `new Peer({ path: PEER_PATH })`. */
export const PEER_PATH = '/peerjs';

/** What the caller must plug into its connect stack. */
export interface MountedPeerServer {
  /** Connect middleware that serves PeerServer's HTTP API under {@link PEER_PATH}. */
  readonly middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  /** Number of PeerJS clients connected now (for logs and tests). */
  readonly clientCount: () => number;
}

/**
 * Creates the PeerServer and hooks its WebSocket upgrades onto `httpServer`.
 * Discovery stays off: peer ids are not listed, and the room token is checked by the coordinator.
 */
export function mountPeerServer(httpServer: HttpServer | Http2SecureServer): MountedPeerServer {
  let wss: WebSocketServer | undefined;
  let wsPath = '';
  let clients = 0;
  const peerApp = ExpressPeerServer(httpServer as HttpServer, {
    path: '/',
    allow_discovery: false,
    // Volunteers on a classroom Wi-Fi can stall for a while; PeerServer's default is 60 s.
    alive_timeout: 60_000,
    createWebSocketServer: (options: ServerOptions) => {
      wsPath = options.path ?? '';
      wss = new WebSocketServer({ noServer: true });
      return wss;
    },
  });
  peerApp.on('connection', () => (clients += 1));
  peerApp.on('disconnect', () => (clients = Math.max(0, clients - 1)));

  const app = express();
  app.use(PEER_PATH, peerApp);
  // PeerJS clients use one HTTP call, `GET <path>/<key>/id`, to get a fresh id; the rest is the
  // WebSocket. We answer it here rather than through express, which breaks on the HTTP/2 requests
  // that Vite's HTTPS server (LAN mode) receives. Express is kept only to fire the `mount` event.
  const middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!(path === PEER_PATH || path.startsWith(`${PEER_PATH}/`))) return next();
    if (req.method === 'GET' && /^\/[^/]+\/id$/.test(path.slice(PEER_PATH.length))) {
      res.setHeader('Content-Type', 'text/html');
      res.end(randomUUID());
      return;
    }
    res.statusCode = 404;
    res.end();
  };

  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (!wss || path !== wsPath) return; // Vite's HMR and anything else keep their own handlers.
    const server = wss;
    server.handleUpgrade(req, socket, head, (ws) => server.emit('connection', ws, req));
  });
  return { middleware, clientCount: () => clients };
}
