/**
 * Runs a scenario in a child process (sim/scenario-process.ts) with a CPU deadline. If the child
 * has not answered by then (the scheduler is inside one call that does not return), it is killed
 * and the outcome is what its progress file and /proc said at that moment. CPU, not wall time, so
 * a busy machine does not cut a run short; wall time is capped too, at three times the deadline.
 */
import { fork } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunProgress, ScenarioResult } from './run-scenario';
import type { ScenarioRequest } from './scenario-process';

/** A scenario that finished (possibly stopped by its CPU budget), or one that had to be killed. */
export type IsolatedOutcome =
  | { readonly kind: 'done'; readonly result: ScenarioResult }
  | {
    readonly kind: 'killed';
    readonly name: string;
    /** The CPU deadline (ms) it hit. */
    readonly deadlineMs: number;
    /** The child's last progress report (undefined if it wrote none). */
    readonly progress: RunProgress | undefined;
    /** CPU seconds of the child when it was killed (from /proc; NaN elsewhere). */
    readonly cpuS: number;
    /** Seconds the scheduler call running at the kill had been running (wall time). */
    readonly callS: number | undefined;
    /** Process CPU seconds spent in the measured part (all of it the scheduler's while one call runs). */
    readonly measuredCpuS: number;
  };

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;
/** How often the child's CPU time is read (ms): the deadline is overrun by at most this. */
const POLL_MS = 250;
/** Wall time allowed per CPU second, for machines where /proc cannot be read or is very busy. */
const WALL_PER_CPU = 3;

function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

function readProgress(path: string): RunProgress | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunProgress;
  } catch {
    return undefined;
  }
}

/** Runs `request` (its progress path is chosen here) and gives up after `deadlineMs` of its CPU time. */
export function runIsolated(request: Omit<ScenarioRequest, 'progressPath'>, deadlineMs: number): Promise<IsolatedOutcome> {
  const progressPath = join(tmpdir(), `fabric-sim-${process.pid}-${request.scenario}.json`);
  rmSync(progressPath, { force: true });
  // The child runs under the same loader (tsx) as this process, with structured-clone messages
  // so Infinity and NaN in the result survive.
  const child = fork(fileURLToPath(new URL('./scenario-process.ts', import.meta.url)), [], { execArgv: process.execArgv, serialization: 'advanced', stdio: 'inherit' });
  return new Promise<IsolatedOutcome>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: IsolatedOutcome | Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      rmSync(progressPath, { force: true });
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const started = performance.now();
    const timer = setInterval(() => {
      const cpuS = cpuSecondsOf(child.pid);
      if (cpuS * 1000 < deadlineMs && performance.now() - started < WALL_PER_CPU * deadlineMs) return;
      const progress = readProgress(progressPath);
      child.kill('SIGKILL');
      const callS = progress?.inCallSince === undefined ? undefined : (performance.timeOrigin + performance.now() - progress.inCallSince) / 1000;
      const measuredCpuS = progress ? cpuS - progress.cpuBeforeMs / 1000 : Number.NaN;
      finish({ kind: 'killed', name: request.scenario, deadlineMs, progress, cpuS, callS, measuredCpuS });
    }, POLL_MS);
    child.once('message', (msg: { ok: true; result: ScenarioResult } | { ok: false; error: string }) => {
      if (msg.ok) finish({ kind: 'done', result: msg.result });
      else finish(new Error(`scenario ${request.scenario} failed: ${msg.error}`));
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') setTimeout(() => finish(new Error(`scenario ${request.scenario}: its process exited (${code ?? signal}) without a result`)), 100);
    });
    child.send({ ...request, progressPath } satisfies ScenarioRequest);
  });
}
