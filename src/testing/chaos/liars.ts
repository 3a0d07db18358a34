/**
 * Test support: lying volunteers against verification mode. A paradigm runs with the first node as
 * the coordinator's own (trusted) and the others as volunteers on probation, one of which corrupts
 * every result it returns (scaled by 10, NaN, or reversed: src/worker/liar.ts). The liar must be
 * excluded, no honest node may be, and the result must equal the fault-free run's exactly.
 */
import type { SchedulerOptions } from '../../coordinator/scheduler';
import type { LieMode } from '../../worker/liar';
import { CHAOS_SCHEDULER, type ChaosAudit } from './cluster';
import type { ChaosParadigm, ChaosVerdict } from './paradigms';
import { runOn, type CleanRun } from './run';

/** What a liar run did. */
export interface LiarOutcome {
  readonly paradigm: string;
  readonly mode: LieMode;
  readonly seed: number;
  readonly liar: string;
  /** Results the liar corrupted (attempts). */
  readonly lies: number;
  readonly audit: ChaosAudit;
  readonly verdict: ChaosVerdict;
  readonly error: string | undefined;
  readonly problems: readonly string[];
}

/** Probation 2 and a quarter checked after it: the app's `?verify` default is probation 3, 10%. */
export function liarOptions(seed: number): SchedulerOptions {
  return { ...CHAOS_SCHEDULER, verification: { probation: 2, fraction: 0.25, seed } };
}

/** Runs `paradigm` with one lying volunteer, chosen by `seed` among the volunteers. */
export async function liarRun(paradigm: ChaosParadigm, clean: CleanRun, mode: LieMode, seed: number): Promise<LiarOutcome> {
  const nodes = paradigm.nodes.length >= 3 ? paradigm.nodes : [...paradigm.nodes, 1, 1].slice(0, 3);
  const liarIndex = 1 + (seed % (nodes.length - 1));
  const schedule = { seed, nodes, span: 0, events: [] };
  const { result, audit, error, lies } = await runOn(paradigm, schedule, liarOptions(seed), { trusted: 1, liar: { node: liarIndex, mode } });
  const liar = `n${liarIndex}`;
  const verdict: ChaosVerdict = error === undefined ? paradigm.compare(clean.result, result) : { lost: 0, duplicated: 0, problems: [] };
  const problems = [...verdict.problems];
  if (error !== undefined) problems.push(`the job failed: ${error}`);
  if (lies > 0 && !audit.excluded.includes(liar)) problems.push(`${liar} corrupted ${lies} results and was not excluded`);
  const wronglyExcluded = audit.excluded.filter((id) => id !== liar);
  if (wronglyExcluded.length > 0) problems.push(`honest nodes excluded: ${wronglyExcluded.join(', ')}`);
  if (audit.committedTwice.length > 0) problems.push(`committed twice: ${audit.committedTwice.join(', ')}`);
  return { paradigm: paradigm.name, mode, seed, liar, lies, audit, verdict, error, problems };
}
