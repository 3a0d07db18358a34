/**
 * Which Chromium to drive, and how. Playwright cannot download its own browsers on machines
 * without internet, so Debian's `/usr/bin/chromium` is used when present.
 * Order: `CHROMIUM_PATH`, then `/usr/bin/chromium`, then Playwright's own browser.
 */
import { existsSync } from 'node:fs';

/** The binary to launch, or undefined to let Playwright use its own. */
export function chromiumPath(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  return undefined;
}

/**
 * Flags that work as root in a sandbox, keep Chromium off the network, and give WebGPU on
 * SwiftShader when there is no GPU (TESTING-NOTES.md).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--ignore-certificate-errors',
];

/** The exact command that installs Chromium on Debian. */
export const INSTALL_CHROMIUM = 'sudo apt-get update && sudo apt-get install -y chromium';
