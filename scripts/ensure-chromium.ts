/**
 * Fails at once, with the exact command to run, when no Chromium is available: the e2e tests
 * drive it, and the WebGPU kernel tests use its SwiftShader driver.
 * Playwright cannot download its own browser on machines without internet.
 */
import { existsSync } from 'node:fs';
import { chromiumPath, INSTALL_CHROMIUM } from './chromium.ts';

const path = chromiumPath();
if (!path || !existsSync(path)) {
  console.error(`\nThe tests need Chromium, and none was found${path ? ` at ${path}` : ''}.\n` +
    `Install it with:\n\n    ${INSTALL_CHROMIUM}\n\n` +
    'or point CHROMIUM_PATH at a Chromium or Chrome binary.\n');
  process.exit(1);
}
