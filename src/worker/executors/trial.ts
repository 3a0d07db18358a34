/**
 * `trial`: one evaluation of a tune objective at one point. The objective's own failures (it
 * throws, its parameters are out of range, its loss is NaN) are the trial's result, status
 * `fail` with the reason, so the scheduler never retries them (SparkTrials retries such a trial
 * four times). Only a lost slot or link makes the trial run again, elsewhere.
 */
import { customObjective } from '../../ml/objectives';
import { FabricError } from '../../protocol/errors';
import type { TrialParams, TrialResult } from '../../protocol/tune';
import { runGlmTrial } from '../objectives/glm-trial';
import { runMlpTrial } from '../objectives/mlp-trial';
import { sampleDesign, sampleTable } from '../features/sample-design';
import type { ExecutorContext, ExecutorOutput } from './registry';

/** Default wait of the `wait` objective, ms. */
const DEFAULT_WAIT_MS = 100;

/** The `wait` objective: sleeps `ms` (no CPU), then returns Σ (v − 0.5)² over the other numeric params. */
async function runWait(params: Readonly<Record<string, unknown>>): Promise<{ loss: number; metrics: Record<string, number> }> {
  const ms = params.ms ?? DEFAULT_WAIT_MS;
  if (typeof ms !== 'number' || !(ms >= 0 && ms <= 3_600_000)) throw new FabricError('bad-input', `wait objective: ms must be a number from 0 to 3600000, got ${JSON.stringify(ms)}`);
  await new Promise((r) => setTimeout(r, ms));
  let loss = 0;
  for (const [k, v] of Object.entries(params)) if (k !== 'ms' && typeof v === 'number') loss += (v - 0.5) ** 2;
  return { loss, metrics: {} };
}

function needData(params: TrialParams): NonNullable<TrialParams['data']> {
  if (!params.data) throw new FabricError('bad-input', `${params.objective} objective: the tune run has no data; pass data: { target, features }`);
  return params.data;
}

async function evaluate(params: TrialParams, ctx: ExecutorContext): Promise<{ loss: number; metrics: Record<string, number | null> }> {
  switch (params.objective) {
    case 'wait': return runWait(params.params);
    case 'glm': return runGlmTrial(params.params, sampleDesign(ctx, needData(params)));
    case 'mlp': return runMlpTrial(params.params, sampleDesign(ctx, needData(params)), params.seed);
    default: {
      const fn = customObjective(params.objective);
      if (!fn) throw new FabricError('bad-input', `objective "${params.objective}" is not defined in this app's slot bundle; define it with defineObjective in src/app-objectives.ts`);
      const out = await fn(params.params, { table: params.data ? sampleTable(ctx, params.data.artifact) : undefined, seed: params.seed });
      if (out?.status === 'fail') throw new FabricError('bad-input', String(out.message ?? 'the objective returned status fail'));
      const metrics: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(out ?? {})) if (k !== 'loss' && k !== 'status' && typeof v === 'number') metrics[k] = Number.isFinite(v) ? v : null;
      return { loss: out?.loss as number, metrics };
    }
  }
}

/** Runs one trial; its objective's failure is a `fail` result, not a thrown error. */
export async function runTrial(params: TrialParams, ctx: ExecutorContext): Promise<ExecutorOutput<TrialResult>> {
  try {
    const { loss, metrics } = await evaluate(params, ctx);
    if (typeof loss !== 'number' || !Number.isFinite(loss)) {
      return { result: { status: 'fail', loss: null, message: `the objective returned a loss of ${String(loss)}; a loss must be a finite number`, metrics } };
    }
    return { result: { status: 'ok', loss, message: '', metrics } };
  } catch (e) {
    const err = FabricError.from(e, 'task-failed');
    return { result: { status: 'fail', loss: null, message: err.message, metrics: {} } };
  }
}
