/**
 * Zod, configured for Fabric: every schema module imports `z` from here, not from 'zod', so this
 * module's body runs before any schema is built (a bare side-effect import was reordered by the
 * bundler, and schemas built before it had probed already).
 *
 * Why jitless: Zod 4 compiles object schemas with `new Function` when it can, and probes for that
 * with `new Function("")` as each object schema is built. Fabric's Content-Security-Policy forbids
 * eval (no 'unsafe-eval'; server/csp.ts), so the probe is blocked and reported as a violation in
 * every page and worker. Our messages are small, so the compiled fast path buys nothing visible.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
