/**
 * Headers that make every page cross-origin isolated. `crossOriginIsolated` is what lets the
 * tfjs wasm backend use threads (SharedArrayBuffer); every asset is same-origin, so `require-corp`
 * costs nothing.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
