/**
 * Zod 4 compiles object schemas with `new Function` when it can, and probes for that once by
 * calling `new Function("")`. Fabric's Content-Security-Policy forbids eval (no 'unsafe-eval';
 * server/csp.ts), so the probe is blocked and reported as a violation in every page and worker.
 * Jitless mode skips both; our messages are small, so the compiled fast path buys nothing visible.
 * Imported for its effect by every module that defines wire schemas, before any parse runs.
 */
import { z } from 'zod';

z.config({ jitless: true });
