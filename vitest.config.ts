/** Unit tests: pure logic in Node, beside the code as `*.test.ts`. Browsers are for e2e/. */
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * Chromium's SwiftShader Vulkan driver, which gives the `webgpu` package (Dawn) an adapter in
 * Node, so src/kernels/conformance.test.ts runs the WGSL kernels too. These must be in the
 * environment when a test process starts (the dynamic loader reads LD_LIBRARY_PATH only then),
 * so they go in `test.env`, which vitest passes to the worker processes it forks. Without
 * Chromium the suite reports WebGPU as skipped, with the reason.
 */
const SWIFTSHADER_DIR = process.env.SWIFTSHADER_DIR ?? '/usr/lib/chromium';
const swiftShaderEnv: Record<string, string> = existsSync(`${SWIFTSHADER_DIR}/vk_swiftshader_icd.json`)
  ? {
      LD_LIBRARY_PATH: [SWIFTSHADER_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? `${SWIFTSHADER_DIR}/vk_swiftshader_icd.json`,
    }
  : {};

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts', 'sim/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // The env above only reaches Dawn from a forked process (vitest's default pool), not a thread.
    pool: 'forks',
    env: swiftShaderEnv,
  },
});
