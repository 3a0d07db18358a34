/**
 * The Content-Security-Policy on every response of Fabric's server (pages and worker scripts: a
 * module worker takes its policy from its own script's response, so the slots run under it too).
 *
 * Each source is allowed because something in Fabric needs it, and nothing else is:
 * - `script-src 'self' 'wasm-unsafe-eval' blob:`: our bundled modules; WebAssembly compilation
 *   (tfjs-backend-wasm, parquet-wasm); and tfjs-backend-wasm's threaded build, which hands its
 *   pthread workers their factory as a Blob URL (`mainScriptUrlOrBlob = new Blob([...])`) that
 *   they `importScripts`. No `'unsafe-inline'` and no `'unsafe-eval'`: no inline script runs.
 * - `worker-src 'self' blob:`: slot and shuffle workers are same-origin modules; tfjs-wasm's
 *   pthread workers come from Blob URLs.
 * - `connect-src 'self'`: dataset and `.wasm` fetches, the PeerServer's id call and its WebSocket
 *   (CSP 3 lets `'self'` match ws:/wss: on the same host and port), Vite's HMR socket in dev.
 *   WebRTC data channels are not governed by CSP; the room token guards them.
 * - `img-src 'self' data: blob:`: the join QR code is a data: URL, the favicon is `data:,`.
 * - `style-src 'self' 'unsafe-inline'`: Vite injects CSS as `<style>` in dev, and the dashboard
 *   colours swatches with `style` attributes. Styles cannot run code.
 * - `object-src 'none'`, `base-uri 'none'`, `frame-ancestors 'none'`, `form-action 'self'`: no
 *   plugins, no `<base>` hijack, no framing (clickjacking the Remove button), no form posts away.
 * - `report-uri`: violations are posted to the server, which counts them (tests assert zero).
 */

/** Where browsers post CSP violation reports. */
export const CSP_REPORT_PATH = '/fabric/csp-report';

/** Directives, one per entry, joined into the header value. */
const DIRECTIVES: readonly string[] = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  `report-uri ${CSP_REPORT_PATH}`,
];

/** The header value. */
export const CONTENT_SECURITY_POLICY = DIRECTIVES.join('; ');

/** The security headers set on every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
