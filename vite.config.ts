/**
 * One server for Fabric: Vite serves the coordinator (`/`) and volunteer (`/join.html`) pages, the
 * PeerServer is mounted on the same port, and every response carries COOP/COEP.
 *
 * Environment (set by `npm start -- --lan`, see server/start.ts):
 * - `FABRIC_LAN=1`: serve HTTPS with a self-signed certificate on all interfaces.
 * - `FABRIC_PUBLIC_ORIGIN`: the origin join links carry, e.g. `https://192.168.1.20:5173`.
 */
import { fileURLToPath } from 'node:url';
import basicSsl from '@vitejs/plugin-basic-ssl';
import { defineConfig, type PluginOption } from 'vite';
import { fabricServer } from './server/fabric-plugin.ts';
import { ISOLATION_HEADERS } from './server/isolation.ts';

const lan = process.env.FABRIC_LAN === '1';
const root = fileURLToPath(new URL('.', import.meta.url));

const plugins: PluginOption[] = [fabricServer({ publicOrigin: process.env.FABRIC_PUBLIC_ORIGIN })];
if (lan) plugins.push(basicSsl({ name: 'fabric-lan', certDir: `${root}node_modules/.fabric-cert` }));

export default defineConfig({
  plugins,
  resolve: {
    // vega-datasets' `exports` exposes only its JS index, so its data files are reached by path.
    alias: { '@datasets': `${root}node_modules/vega-datasets/data` },
  },
  server: {
    port: 5173,
    strictPort: true,
    host: lan ? '0.0.0.0' : 'localhost',
    headers: { ...ISOLATION_HEADERS },
  },
  preview: {
    port: 4173,
    strictPort: true,
    host: lan ? '0.0.0.0' : 'localhost',
    headers: { ...ISOLATION_HEADERS },
  },
  worker: { format: 'es' },
  optimizeDeps: {
    // parquet-wasm loads its .wasm by URL; pre-bundling would move the JS away from it.
    exclude: ['parquet-wasm'],
    include: ['apache-arrow', 'comlink', 'peerjs', 'zod', 'qrcode', 'uplot', '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu'],
  },
  build: {
    target: 'es2022',
    // Minifying breaks tfjs-backend-wasm's threaded build: it turns a function into source text for
    // its pthread workers, and renamed identifiers are then undefined there ("e is not defined").
    minify: false,
    chunkSizeWarningLimit: 8192,
    rollupOptions: { input: { main: `${root}index.html`, join: `${root}join.html` } },
  },
});
