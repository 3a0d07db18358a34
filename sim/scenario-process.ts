/**
 * One scenario in a process of its own, started by sim/isolate.ts. A scheduler call can run for
 * minutes without returning (see docs/scale.md), and only another process can stop that and still
 * say how far it got: this one writes its progress to a file while it runs, at most four times a
 * second, from the scheduler's own events, and sends its result when done.
 */
import { writeFileSync } from 'node:fs';
import type { FleetParams } from './fleet';
import { runScenario } from './run-scenario';
import { buildScenario, type ScenarioName, type ScenarioSizes } from './scenarios';

/** What the parent asks for. */
export interface ScenarioRequest {
  readonly scenario: ScenarioName;
  readonly sizes: ScenarioSizes;
  readonly fleet: FleetParams;
  readonly cpuBudgetMs: number;
  readonly progressPath: string;
}

/** Progress is written at most this often (ms): often enough for the report, cheap to do. */
const PROGRESS_EVERY_MS = 250;

process.once('message', (request: ScenarioRequest) => {
  let last = Number.NEGATIVE_INFINITY;
  runScenario(buildScenario(request.scenario, request.sizes), request.fleet, {
    cpuBudgetMs: request.cpuBudgetMs,
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      writeFileSync(request.progressPath, JSON.stringify(p));
    },
  }).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (e: unknown) => process.send!({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }, () => process.exit(1)),
  );
});
