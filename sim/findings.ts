/**
 * The report's findings: what each scenario's figures say, in sentences built from the figures.
 * The reasons given come from reading src/coordinator/scheduler.ts and from CPU profiles of these
 * runs (`node --cpu-prof`), as docs/scale.md explains. The scores of the scheduler before its index
 * and speculation are kept in docs/scale.md, not here: these sentences describe the code as it is.
 */
import type { FleetParams } from './fleet';
import { bytes, count, logNormalRank, median, millis, percent, ratio, seconds } from './format';
import type { IsolatedOutcome } from './isolate';
import type { ScenarioResult } from './run-scenario';

type Outcomes = readonly IsolatedOutcome[];

function find(outcomes: Outcomes, name: string): IsolatedOutcome | undefined {
  return outcomes.find((o) => (o.kind === 'done' ? o.result.name : o.name) === name);
}

function killedText(o: Extract<IsolatedOutcome, { kind: 'killed' }>): string {
  const p = o.progress;
  const inCall = o.callS === undefined ? '' : ` in one scheduler call that had not returned`;
  return `did not finish: after ${o.measuredCpuS.toFixed(0)} s of CPU${inCall}, its measured part had ${count(p?.starts ?? 0)} task starts and ${count(p?.commits ?? 0)} commits at ${seconds(p?.virtualMs ?? Number.NaN)} of virtual time`;
}

function perJobCpu(r: ScenarioResult): number[] {
  return r.jobCpuMs.map((c, i) => c - (i > 0 ? r.jobCpuMs[i - 1]! : 0));
}

function lastTaskText(r: ScenarioResult, f: FleetParams): string {
  const t = r.lastTask;
  if (!t) return '';
  const rank = logNormalRank(t.speed, f.speedMedian, f.speedSigma);
  const requeued = t.attempts > 1 ? `, on its attempt ${t.attempts}` : '';
  const where = rank >= 0.5 ? `faster than ${percent(rank, 1)} of slots` : `slower than ${percent(1 - rank, 1)} of slots`;
  return `The last task to commit (${t.work.toFixed(1)} s of work) ran ${seconds(t.ms)} on a slot of speed ${t.speed.toFixed(2)}, ${where}${requeued}.`;
}

function exactlyOnce(outcomes: Outcomes): string {
  const done = outcomes.flatMap((o) => (o.kind === 'done' ? [o.result] : []));
  const sum = (k: 'submitted' | 'lost' | 'duplicated' | 'requeued' | 'retried' | 'dropped' | 'cancelled'): number => done.reduce((s, r) => s + r.counts[k], 0);
  const bad = sum('lost') + sum('duplicated');
  const verdict = bad === 0 ? 'every task was committed exactly once' : `**${count(sum('lost'))} tasks were lost and ${count(sum('duplicated'))} duplicated**`;
  return `- **Exactly once.** Over ${count(sum('submitted'))} tasks in ${done.length} finished scenarios (warm-up included), ${verdict}, through ${count(sum('requeued'))} requeues after a node left, ${count(sum('retried'))} retries after a transient failure and ${count(sum('dropped'))} late results dropped${sum('cancelled') > 0 ? `; ${count(sum('cancelled'))} tasks of jobs cancelled by the CPU budget were not run, as cancelled jobs should not be` : ''}.`;
}

function train(o: IsolatedOutcome, f: FleetParams): string {
  if (o.kind === 'killed') return `- **train** ${killedText(o)}. Its scheduler CPU per iteration grows as in the next paragraph's explanation.`;
  const r = o.result;
  const times = r.jobTimes;
  const cpu = perJobCpu(r);
  const silentEvery = 1 / ((r.parallelism * f.churnPerMinute * f.silentShare) / 60);
  return [
    `- **train**: ${count(times.length)} iterations finished${r.note ? ' before the CPU budget stopped the run' : ''}, ${seconds(r.jobMs)} against an ideal of ${seconds(r.idealTopMs)} on the 300 fastest slots (${ratio(r.jobMs, r.idealTopMs)}).`,
    `The first iteration took ${seconds(times[0] ?? Number.NaN)}: it ships all 300 partitions (${bytes(300 * 4e6)}), at least ${seconds((300 * 4e6 * 8 * 1000) / f.network.coordinatorBps)} on the coordinator's link.`,
    times.length > 1 ? `Later ones took ${seconds(median(times.slice(1)))} (median of ${times.length - 1}) and up to ${seconds(Math.max(...times.slice(1)))}, against ${seconds(r.idealTopMs / times.length)} ideal each: an iteration waits for its slowest task. A holder that leaves silently is noticed only after the ${seconds(f.heartbeatTimeoutMs)} heartbeat timeout, but once 75% of the iteration is done its task is copied to a free slot (speculation), so the iteration waits about 1.5 times the median task plus a partition transfer instead.${f.silentShare > 0 ? ` Among 300 partition holders one leaves silently every ${silentEvery.toFixed(1)} s on average.` : ''}` : '',
    `Scheduler CPU per iteration went from ${seconds(cpu[0] ?? Number.NaN)} to ${seconds(cpu[cpu.length - 1] ?? Number.NaN)} (${millis((cpu[cpu.length - 1] ?? Number.NaN) / 300)} per task): waiting tasks are indexed by partition and partitions by their live holders, so a start is a few heap operations whatever the fleet. ${count(r.counts.speculated)} stragglers were copied to free slots (speculation), and a stage's last waiting tasks go to any free slot rather than wait for a busy holder.`,
  ].filter(Boolean).join(' ');
}

function fitGroups(o: IsolatedOutcome, f: FleetParams): string {
  if (o.kind === 'killed') return `- **fitGroups** ${killedText(o)}.`;
  const r = o.result;
  return `- **fitGroups**: ${seconds(r.jobMs)} against an ideal of ${seconds(r.idealMs)} (${ratio(r.jobMs, r.idealMs)}). ${lastTaskText(r, f)} Largest-first starts the biggest groups first on the fastest slots, but at 30% churn a minute a slot holding a long group is often lost, and the group starts over. Speculation copied ${count(r.counts.speculated)} stragglers to idle slots in the job's tail; when a copy is lost with its volunteer, the task may be copied again.`;
}

function tune(o: IsolatedOutcome): string {
  if (o.kind === 'killed') return `- **tune** ${killedText(o)}.`;
  const r = o.result;
  const dataSends = r.egressBytes / 20e6;
  const linkMs = (r.egressBytes * 8 * 1000) / r.coordinatorBps;
  return `- **tune**: ${seconds(r.jobMs)} against ${seconds(r.idealTopMs)} on the 500 fastest slots (${ratio(r.jobMs, r.idealTopMs)}). The 20 MB training set left the coordinator about ${count(dataSends)} times for ${count(r.submittedMeasured)} trials (${bytes(r.egressBytes)}, ${seconds(linkMs)} of its link, ${percent(linkMs, r.jobMs)} of the job). The scheduler's locality looks at a task's partitions only; a trial has none, only the data as an artifact, so it goes to the fastest idle slot whether or not that slot holds the data, and a node's slots each get their own copy. Trials then queue behind the transfers, and ${count(r.counts.requeued)} were requeued because their node left while they waited or ran.`;
}

function score(o: IsolatedOutcome): string {
  if (o.kind === 'killed') {
    const p = o.progress;
    const warm = p && p.startsBefore > 0 ? ` The warm-up pass before it, over the same partitions with nothing cached yet, took ${millis(p.schedulerMsBefore / p.startsBefore)} a start (${count(p.startsBefore)} starts).` : '';
    return `- **score** ${killedText(o)}.${warm}`;
  }
  const r = o.result;
  return `- **score**: ${seconds(r.jobMs)} against an ideal of ${seconds(r.idealMs)} (${ratio(r.jobMs, r.idealMs)}); ${bytes(r.egressBytes)} left the coordinator (the 5 MB model to each slot that scored, and partitions re-sent after churn).`;
}

function tiny(o: IsolatedOutcome, f: FleetParams): string {
  if (o.kind === 'killed') return `- **tiny** ${killedText(o)}.`;
  const r = o.result;
  const rate = r.startsMeasured / (r.schedulerMs / 1000);
  const demand = r.slotsAtStart / 0.005;
  const tail = r.jobMs > f.heartbeatTimeoutMs ? ` The job's ${seconds(r.jobMs)} is the heartbeat timeout: a few tasks sat on volunteers that had gone silent until the ${seconds(f.heartbeatTimeoutMs)} timeout requeued them.` : '';
  return `- **tiny**: the scheduler dispatched ${count(rate)} tasks per CPU-second (${millis(r.schedulerMs / r.startsMeasured)} a start, events and progress callbacks included). ${count(r.slotsAtStart)} slots running 5 ms tasks could take ${count(demand)} a second, so one coordinator thread caps this pattern at ${percent(rate, demand)} of the fleet: tasks this small need batching, or a sub-coordinator per group of volunteers.${tail} ${count(r.counts.speculated)} tasks were copied by speculation.`;
}

/** Findings as markdown bullets. */
export function findings(outcomes: Outcomes, fleet: FleetParams): string[] {
  const out = [exactlyOnce(outcomes)];
  const by = (name: string, fn: (o: IsolatedOutcome) => string): void => {
    const o = find(outcomes, name);
    if (o) out.push(fn(o));
  };
  by('train', (o) => train(o, fleet));
  by('fitGroups', (o) => fitGroups(o, fleet));
  by('tune', tune);
  by('score', score);
  by('tiny', (o) => tiny(o, fleet));
  return out;
}
