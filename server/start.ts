/**
 * `npm start [-- --lan] [--port N] [--preview]`: starts Fabric's one server.
 *
 * - default: Vite's dev server on http://localhost:5173 with the PeerServer on the same port.
 * - `--lan` (or `FABRIC_LAN=1`): HTTPS with a self-signed certificate on all interfaces; join links
 *   carry this machine's LAN address, because WebGPU and cross-origin isolation need a secure
 *   context on every machine but this one.
 * - `--public-host ADDR`: the address join links carry in LAN mode, when the first one found is
 *   not the one students can reach (a laptop with both Wi-Fi and Ethernet).
 * - `--preview`: serve the production build in `dist/` (run `npm run build` first).
 */
import { parseArgs } from 'node:util';
import { createServer, preview } from 'vite';
import { lanAddresses } from './lan.ts';

const { values } = parseArgs({
  options: {
    lan: { type: 'boolean', default: process.env.FABRIC_LAN === '1' },
    port: { type: 'string' },
    preview: { type: 'boolean', default: false },
    'public-host': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log('usage: npm start -- [--lan] [--public-host ADDRESS] [--port N] [--preview]\n' +
    '  --lan               serve HTTPS on all interfaces; join links carry this machine\'s LAN address\n' +
    '  --public-host ADDR  the address join links carry (default: the first LAN address found)\n' +
    '  --port N            port (default 5173, or 4173 with --preview)\n' +
    '  --preview           serve the production build in dist/ (run npm run build first)');
  process.exit(0);
}

const port = values.port === undefined ? (values.preview ? 4173 : 5173) : Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`fabric: --port expects a TCP port from 1 to 65535, got "${values.port}"`);
  process.exit(2);
}

if (values.lan) {
  const address = values['public-host'] ?? lanAddresses()[0];
  process.env.FABRIC_LAN = '1';
  if (address) process.env.FABRIC_PUBLIC_ORIGIN = `https://${address}:${port}`;
  else console.warn('fabric: --lan found no LAN address; join links will use this page\'s own origin');
}

const server = values.preview
  ? await preview({ preview: { port } })
  : await createServer({ server: { port } }).then((s) => s.listen());

const scheme = values.lan ? 'https' : 'http';
console.log(`\n  Fabric coordinator: ${scheme}://localhost:${port}/`);
if (process.env.FABRIC_PUBLIC_ORIGIN) {
  console.log(`  LAN address:        ${process.env.FABRIC_PUBLIC_ORIGIN}/  (self-signed: accept the warning once)`);
}
console.log('  Volunteers join from the link or QR code on the coordinator page.\n');

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
