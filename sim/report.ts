/**
 * The simulation's report: run facts, the results tables, the findings, the ingress calculation
 * and the assumptions, as markdown for bench/results/simulation.md and the terminal.
 */
import type { FleetParams } from './fleet';
import { findings } from './findings';
import { bytes, count, millis, percent, ratio, seconds, table } from './format';
import { ingressSection } from './ingress-report';
import type { IsolatedOutcome } from './isolate';
import type { ScenarioResult } from './run-scenario';

/** Facts about the run, for the header. */
export interface RunInfo {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  readonly code: string;
  readonly mode: 'full' | 'quick';
  readonly seed: number;
  readonly runSeconds: number;
  readonly load: string;
  readonly cpuBudgetMs: number;
  readonly deadlineMs: number;
}

type Done = Extract<IsolatedOutcome, { kind: 'done' }>;
type Killed = Extract<IsolatedOutcome, { kind: 'killed' }>;

function jobCell(r: ScenarioResult): string {
  if (r.note && r.jobTimes.length === 0) return 'stopped (budget)';
  return r.note ? `${seconds(r.jobMs)} (${r.jobTimes.length} jobs finished, then stopped)` : seconds(r.jobMs);
}

function resultsTable(outcomes: readonly IsolatedOutcome[]): string {
  const rows = outcomes.map((o) => {
    if (o.kind === 'killed') return [o.name, 'did not finish', '-', '-', '-', '-', '-', '-'];
    const r = o.result;
    const top = Number.isFinite(r.parallelism) ? `${seconds(r.idealTopMs)} (${count(r.parallelism)} slots)` : 'same';
    const topRatio = Number.isFinite(r.parallelism) ? ratio(r.jobMs, r.idealTopMs) : ratio(r.jobMs, r.idealMs);
    const tasks = r.note ? `${count(r.committedMeasured)} of ${count(r.submittedMeasured)}` : count(r.submittedMeasured);
    return [r.name, tasks, jobCell(r), seconds(r.idealMs), ratio(r.jobMs, r.idealMs), top, topRatio, `${count(r.counts.lost)} / ${count(r.counts.duplicated)}`];
  });
  return table(['scenario', '>tasks (committed of submitted, if stopped)', '>job time (virtual)', '>ideal, all slots', '>ratio', '>ideal, job\'s parallelism', '>ratio', '>lost / duplicated'], rows);
}

function costTable(outcomes: readonly IsolatedOutcome[]): string {
  const rows = outcomes.map((o) => {
    if (o.kind === 'killed') {
      const starts = o.progress?.starts ?? 0;
      const cpuMs = o.measuredCpuS * 1000;
      return [o.name, `${count(starts)} (killed)`, `${seconds(cpuMs)} (process)`, starts > 0 ? millis(cpuMs / starts) : '-', starts > 0 ? count(starts / o.measuredCpuS) : '-', '-', '-'];
    }
    const r = o.result;
    return [r.name, count(r.startsMeasured), seconds(r.schedulerMs), millis(r.schedulerMs / r.startsMeasured), count(r.startsMeasured / (r.schedulerMs / 1000)),
      millis(r.processCpuMs / r.committedMeasured), Number.isFinite(r.jobMs) ? percent(r.schedulerMs, r.jobMs) : '-'];
  });
  return table(['scenario', '>task starts', '>scheduler CPU', '>per start', '>dispatch rate (starts per CPU-second)', '>process CPU per task', '>coordinator load'], rows);
}

function auditTable(done: readonly Done[]): string {
  const rows = done.map(({ result: r }) => {
    const c = r.counts;
    return [r.name, count(c.submitted), count(c.committed), count(c.lost), count(c.duplicated), count(c.cancelled), count(c.dropped), count(c.requeued), count(c.retried), `${count(r.left)} / ${count(r.joined)}`, `${r.workLost.toFixed(0)} s`];
  });
  return table(['scenario', '>tasks', '>commits', '>lost', '>duplicated', '>cancelled (budget)', '>late results dropped', '>requeued (node lost)', '>retried (task failed)', '>nodes left / joined', '>work lost'], rows);
}

function linkTable(done: readonly Done[]): string {
  const rows = done.map(({ result: r }) => {
    const busy = (b: number): string => `${seconds((b * 8 * 1000) / r.coordinatorBps)} (${Number.isFinite(r.jobMs) ? percent((b * 8 * 1000) / r.coordinatorBps, r.jobMs) : '-'})`;
    return [r.name, bytes(r.egressBytes), busy(r.egressBytes), bytes(r.ingressBytes), busy(r.ingressBytes)];
  });
  return table(['scenario', '>out (blobs, parameters)', '>link time out (share of job time)', '>in (results)', '>link time in (share)'], rows);
}

function killedNotes(killed: readonly Killed[]): string[] {
  return killed.map((k) => {
    const p = k.progress;
    const call = k.callS === undefined ? 'between scheduler calls' : `inside one scheduler call that had been running ${k.callS.toFixed(1)} s of wall time`;
    return `- **${k.name}** was killed at its CPU deadline of ${seconds(k.deadlineMs)} (${k.cpuS.toFixed(1)} s of process CPU, ${k.measuredCpuS.toFixed(1)} s of it in the measured part), ${call}; by then the measured part had ${count(p?.starts ?? 0)} task starts, ${count(p?.commits ?? 0)} commits and ${count(p?.jobsDone ?? 0)} finished jobs at ${seconds(p?.virtualMs ?? Number.NaN)} of virtual time. Its audit is not in the table above: the run ended without one.`;
  });
}

function assumptions(f: FleetParams): string {
  const n = f.network;
  return table(['what', 'value', 'why'], [
    ['volunteers', `${count(f.nodes)} at the start and on average`, 'the issue\'s scale'],
    ['churn', `${f.churnPerMinute * 100}% leave per minute, replaced at the same rate`, 'Poisson joins; exponential stays of mean 1 / churn (M/M/inf)'],
    ['silent departures', `${f.silentShare * 100}%, noticed after ${seconds(f.heartbeatTimeoutMs)}`, 'a lid or radio, not a closed tab; the room\'s heartbeat timeout'],
    ['slots per volunteer', `${f.slots[0]} to ${f.slots[1]}, uniform`, 'cores minus one on 2- to 5-core machines'],
    ['slot speed', `log-normal, median ${f.speedMedian}, sigma ${f.speedSigma} (1st to 99th percentile: ${(Math.exp(-2.326 * f.speedSigma)).toFixed(2)} to ${(Math.exp(2.326 * f.speedSigma)).toFixed(1)})`, 'phones to GPU desktops; the probe reports it as the slot\'s gflops'],
    ['transient task failures', percent(f.failureRate, 1), 'exercises retries; four failures of one task would be 1.6e-11'],
    ['latency, one way', `log-normal, median ${n.latencyMedianMs} ms, sigma ${n.latencySigma}`, 'same continent'],
    ['volunteer link', `log-normal, median ${n.downMedianBps / 1e6} Mbit/s down, ${n.upMedianBps / 1e6} up, sigma ${n.rateSigma}`, 'fixed broadband'],
    ['coordinator link', `${n.coordinatorBps / 1e6} Mbit/s each way, shared by all`, 'a wired LAN port'],
  ]);
}

/** The whole report. */
export function buildReport(info: RunInfo, outcomes: readonly IsolatedOutcome[], fleet: FleetParams): string {
  const done = outcomes.filter((o): o is Done => o.kind === 'done');
  const killed = outcomes.filter((o): o is Killed => o.kind === 'killed');
  return [
    '# Scale simulation',
    '',
    'Written by `npm run simulate` (sim/simulate.ts). The real scheduler (src/coordinator/scheduler.ts, class `Scheduler`) assigns the tasks of each paradigm\'s pattern to 1,000 simulated volunteers that join and leave; time is virtual (sim/clock.ts), so an hour of the fleet\'s time passes in seconds. The volunteers are models, not browsers (sim/sim-node.ts; assumptions at the end). Virtual-time figures are the same on every machine for a seed; CPU figures are this machine\'s.',
    '',
    `- Date: ${info.date}`,
    `- Machine: ${info.machine}; ${info.node}`,
    `- Code: ${info.code}`,
    `- Mode: ${info.mode}; seed ${info.seed}; per scenario, a scheduler CPU budget of ${seconds(info.cpuBudgetMs)} (then its jobs are cancelled) and a process CPU deadline of ${seconds(info.deadlineMs)} (then it is killed)`,
    `- Load average (1, 5, 15 min): ${info.load}`,
    `- Run time: ${info.runSeconds.toFixed(0)} s`,
    '',
    '## Results',
    '',
    'Job time runs from the first task of the measured part to the end of its last job. The ideal is the same total work at the capacity actually present (sum of live slot speeds, churn included), with free transfers and no lost work; "job\'s parallelism" counts only the fastest slots the job can use at once (300 tasks per train iteration, 500 trials at once). Lost and duplicated come from the audit: every task\'s commits counted from `task-committed` events and from job results.',
    '',
    resultsTable(outcomes),
    '',
    '### Scheduler cost',
    '',
    'Scheduler CPU is process CPU time (`process.cpuUsage`) inside the scheduler\'s entry points (`addNode`, `removeNode`, `run`, and the private `dispatch`, `succeed`, `fail` that task results land in), outermost calls only. It includes what they call synchronously: the simulated node\'s `execute` (a few timer and lane updates) and the audit\'s event listener. Process CPU per task is everything in the measured part (scheduler, simulated nodes, virtual clock, audit, garbage collection) over committed tasks. Coordinator load is scheduler CPU over virtual job time: above 100%, one coordinator thread could not have kept up, and the real job would take at least the scheduler\'s CPU time.',
    '',
    costTable(outcomes),
    ...(killed.length > 0 ? ['', ...killedNotes(killed)] : []),
    '',
    '### Exactly once, churn and failures',
    '',
    auditTable(done),
    '',
    '### The coordinator\'s link',
    '',
    linkTable(done),
    '',
    '## Findings',
    '',
    ...findings(outcomes, fleet),
    '',
    ingressSection(),
    '',
    '## Assumptions',
    '',
    assumptions(fleet),
    '',
    'Scenario sizes are in sim/scenarios.ts, each with its reasoning. What is not modelled: slot memory (no eviction, no `not-cached`), the coordinator\'s own work between iterations (L-BFGS, TPE suggestions), and the cost of the link framing and schema checks on the coordinator. Speculation and the tail rule are the scheduler\'s own, as in the app; verification mode is off, as by default.',
    '',
  ].join('\n');
}
