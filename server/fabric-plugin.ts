/**
 * The Vite plugin that turns Vite's dev and preview servers into Fabric's one server:
 * isolation and security headers (server/csp.ts), the PeerServer on the same port, and `/fabric/config.json`, which tells the
 * coordinator page which origin to put in join links (the LAN address in classroom mode).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connect, Plugin } from 'vite';
import { SECURITY_HEADERS } from './csp.ts';
import { cspReportMiddleware } from './csp-reports.ts';
import { ISOLATION_HEADERS } from './isolation.ts';
import { mountPeerServer, PEER_PATH } from './peer-server.ts';
import { shortLinkMiddleware } from './short-link.ts';

/** What the server tells pages about itself. Mirrored by `ServerConfig` in src/protocol. */
export interface FabricServerOptions {
  /** Origin that other machines should use for join links, e.g. `https://192.168.1.20:5173`. */
  readonly publicOrigin?: string | undefined;
}

/** Builds the plugin. */
export function fabricServer(options: FabricServerOptions = {}): Plugin {
  const configMiddleware: Connect.NextHandleFunction = (req: IncomingMessage, res: ServerResponse, next) => {
    if ((req.url ?? '').split('?')[0] !== '/fabric/config.json') return next();
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify({ publicOrigin: options.publicOrigin ?? null, peerPath: PEER_PATH }));
  };
  const headersMiddleware: Connect.NextHandleFunction = (_req, res, next) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    next();
  };
  const shortLink = shortLinkMiddleware();
  return {
    name: 'fabric-server',
    configureServer(server) {
      server.middlewares.use(headersMiddleware);
      server.middlewares.use(configMiddleware);
      server.middlewares.use(cspReportMiddleware());
      server.middlewares.use(shortLink);
      if (server.httpServer) server.middlewares.use(mountPeerServer(server.httpServer).middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(headersMiddleware);
      server.middlewares.use(configMiddleware);
      server.middlewares.use(cspReportMiddleware());
      server.middlewares.use(shortLink);
      server.middlewares.use(mountPeerServer(server.httpServer).middleware);
    },
  };
}
