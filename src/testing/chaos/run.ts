/**
 * Test support: one chaos run, from its schedule to its verdict. A fault-free run first gives the
 * expected result and the span of events faults are drawn from; each seeded run is then checked
 * against it and audited. Every failure carries the schedule's description and what fired, so it
 * can be replayed with the same seed.
 */
import type { SchedulerOptions } from '../../coordinator/scheduler';
import { ChaosCluster, type ChaosAudit, type ChaosRoles } from './cluster';
import type { ChaosParadigm, ChaosVerdict } from './paradigms';
import { describeSchedule, planChaos, type ChaosSchedule } from './schedule';

/**
 * A run still going after this long is reported as a hang, with its schedule. It is not a timing
 * check: a healthy chaos run takes a second or two on the slow shared test machine, and this
 * only turns a silent stall into a readable failure.
 */
const HANG_MS = 60_000;

/** The fault-free run: its result, and its audit (its committed tasks are the span of moments). */
export interface CleanRun {
  readonly result: unknown;
  readonly audit: ChaosAudit;
}

/** A run under a schedule. */
export interface ChaosOutcome {
  readonly schedule: ChaosSchedule;
  readonly audit: ChaosAudit;
  readonly verdict: ChaosVerdict;
  /** The job's error, when it failed instead of finishing (it never should). */
  readonly error: string | undefined;
  /** Every broken rule of the issue, in words; empty when the run passed. */
  readonly problems: readonly string[];
  /** The schedule, what fired and the problems, for a failure message. */
  readonly report: string;
}

/** One run of a paradigm on a cluster attacked by `schedule` (and, with `roles`, by a liar). */
export async function runOn(paradigm: ChaosParadigm, schedule: ChaosSchedule, options?: SchedulerOptions, roles?: ChaosRoles): Promise<{ result: unknown; audit: ChaosAudit; error: string | undefined; lies: number }> {
  const cluster = new ChaosCluster(paradigm.data.store, schedule, options, roles);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${HANG_MS / 1000} s (a hang)`)), HANG_MS);
  });
  try {
    const result = await Promise.race([paradigm.run(cluster), hang]);
    return { result, audit: cluster.finish(), error: undefined, lies: cluster.lies };
  } catch (e) {
    return { result: undefined, audit: cluster.finish(), error: e instanceof Error ? e.message : String(e), lies: cluster.lies };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `paradigm` on its nodes without faults. */
export async function cleanRun(paradigm: ChaosParadigm): Promise<CleanRun> {
  const run = await runOn(paradigm, { seed: 0, nodes: paradigm.nodes, span: 0, events: [] });
  if (run.error !== undefined) throw new Error(`${paradigm.name}: the fault-free run failed: ${run.error}`);
  return { result: run.result, audit: run.audit };
}

/** Runs `paradigm` under the schedule drawn from `seed`, and judges it against the clean run. */
export async function chaosRun(paradigm: ChaosParadigm, clean: CleanRun, seed: number): Promise<ChaosOutcome> {
  const schedule = planChaos(seed, paradigm.nodes, clean.audit.committed);
  const { result, audit, error } = await runOn(paradigm, schedule);
  const verdict: ChaosVerdict = error === undefined ? paradigm.compare(clean.result, result) : { lost: 0, duplicated: 0, problems: [] };
  const problems = [...verdict.problems];
  if (error !== undefined) problems.push(`the job failed: ${error}`);
  if (audit.committedTwice.length > 0) problems.push(`committed twice: ${audit.committedTwice.join(', ')}`);
  if (error === undefined && audit.neverCommitted.length > 0) problems.push(`started but never committed: ${audit.neverCommitted.join(', ')}`);
  if (audit.lossesDetected !== audit.closed) problems.push(`${audit.closed} nodes lost but the scheduler saw ${audit.lossesDetected} losses`);
  if (audit.closed === 0) problems.push('no node was lost: the schedule exercised nothing');
  if (audit.requeued + audit.speculated === 0) problems.push('no task was requeued or speculated: the schedule exercised nothing');
  const report = [
    `${paradigm.name} under chaos: ${describeSchedule(schedule)}`,
    ...audit.log.map((l) => `  fired ${l}`),
    `  requeued ${audit.requeued}, speculated ${audit.speculated}, late copies dropped ${audit.duplicatesDropped}, faults not reached ${audit.unreached}`,
    ...problems.map((p) => `  PROBLEM: ${p}`),
  ].join('\n');
  return { schedule, audit, verdict, error, problems, report };
}
