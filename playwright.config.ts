/**
 * End-to-end tests: real Chromium (Debian's), the real server with its PeerServer, real WebRTC
 * between separate browser contexts, real Web Workers. They run against the production build
 * (`vite build`, then the server in preview mode), one test at a time: each drives three or more
 * pages on a 2-core machine.
 */
import { defineConfig } from '@playwright/test';
import { chromiumPath, CHROMIUM_ARGS } from './scripts/chromium.ts';

// FABRIC_E2E_PORT lets two checkouts on one machine run their e2e suites side by side.
const PORT = Number(process.env.FABRIC_E2E_PORT ?? 4317);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  timeout: 240_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1400, height: 1000 },
    launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `npx tsx server/start.ts --preview --port ${PORT}`,
    url: `http://localhost:${PORT}/fabric/config.json`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
