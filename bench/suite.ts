/**
 * `npm run bench [-- --quick] [--only a,b] [--out DIR]`: every benchmark in one go. Measures the
 * physical limits (bench/limits.ts), then runs transport, train, groups, tune and score one after
 * another (never at once: this machine has 2 cores) as child processes on one shared Fabric
 * server, each writing `<name>.md` and `<name>.json` to DIR; then writes DIR/summary.md
 * (bench/summary.ts). DIR is bench/results, or with --quick bench/.tmp/quick: a quick run never
 * overwrites the committed results. Exits 1 when any benchmark failed (the summary says which).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { codeState, machineInfo, ROOT, runBench, SHARED_SERVER_ENV, startFabricServer } from './harness.ts';
import { readLimits } from './limits-report.ts';
import { readBenchMetrics, RESULTS_DIR, type BenchMetrics } from './metrics.ts';
import { renderSummary } from './summary.ts';

/** The benchmarks, in the order they run: each is `bench/<name>.ts`. */
export const BENCHES = ['transport', 'train', 'groups', 'tune', 'score'] as const;
/** Where --quick writes unless told otherwise (gitignored under bench/.tmp/). */
const QUICK_DIR = `${ROOT}bench/.tmp/quick`;
const USAGE = `usage: npm run bench -- [--quick] [--only ${BENCHES.join(',')}] [--out DIR (bench/results; bench/.tmp/quick with --quick)]`;

interface Flags {
  readonly quick: boolean;
  readonly only: readonly string[];
  readonly out: string;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

function readFlags(): Flags {
  let values: { quick: boolean; only?: string | undefined; out?: string | undefined; help: boolean };
  try {
    values = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, allowPositionals: false }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = values.only === undefined ? [...BENCHES] : values.only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((b) => !(BENCHES as readonly string[]).includes(b));
  if (only.length === 0 || unknown.length > 0) fail(`--only expects names from ${BENCHES.join(', ')}, separated by commas; got "${values.only}"`);
  const out = resolve(values.out ?? (values.quick ? QUICK_DIR : RESULTS_DIR));
  if (values.quick && out === resolve(RESULTS_DIR)) fail('--quick figures are not the committed ones: give --out a scratch directory, not bench/results');
  // The suite's order, whatever order --only named them in.
  return { quick: values.quick, only: BENCHES.filter((b) => only.includes(b)), out };
}

/** Runs `tsx bench/<script>.ts <args>` with this terminal; resolves to its exit code. */
function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done) => {
    const child = spawn(`${ROOT}node_modules/.bin/tsx`, [`${ROOT}bench/${script}.ts`, ...args], { stdio: 'inherit', env, cwd: ROOT });
    child.on('error', (e) => {
      console.error(`bench: could not start ${script}: ${e.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const flags = readFlags();
  const started = performance.now();
  const loadStart = os.loadavg();
  const code = codeState();
  const mode = flags.quick ? ['--quick'] : [];
  console.log(`bench: ${flags.only.join(', ')}${flags.quick ? ' (--quick)' : ''}, writing to ${flags.out}`);
  const server = await startFabricServer();
  const env = { ...process.env, [SHARED_SERVER_ENV]: server.origin };
  const failed = new Map<string, string>();
  const results: BenchMetrics[] = [];
  try {
    // Stale files from an earlier run must not stand in for a benchmark that fails in this one.
    for (const name of ['limits', ...flags.only]) rmSync(`${flags.out}/${name}.json`, { force: true });
    const at = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
    let t0 = performance.now();
    console.log('\n== limits');
    if ((await runScript('limits', [...mode, '--out', flags.out], env)) !== 0) failed.set('limits', 'exited with an error (its output above says why)');
    console.log(`== limits done in ${at(t0)}`);
    for (const name of flags.only) {
      t0 = performance.now();
      console.log(`\n== ${name}`);
      const exit = await runScript(name, [...mode, '--out', flags.out], env);
      const metrics = readBenchMetrics(flags.out, name);
      if (exit !== 0) failed.set(name, `exited with code ${exit} (its output above says why)`);
      else if (!metrics) failed.set(name, `wrote no ${name}.json`);
      if (exit === 0 && metrics) results.push(metrics);
      console.log(`== ${name} done in ${at(t0)}`);
    }
  } finally {
    await server.close();
  }
  const limits = readLimits(flags.out);
  const summary = renderSummary(results, limits, {
    date: new Date().toISOString(), ...machineInfo(), chromium: limits?.chromium ?? 'unknown (the limits run failed)', ...code,
    loadStart, loadEnd: os.loadavg(), runSeconds: (performance.now() - started) / 1000, quick: flags.quick, benches: flags.only, failed,
  });
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(`${flags.out}/summary.md`, summary);
  console.log(`\n${summary}\nwrote ${flags.out}/summary.md`);
  if (failed.size > 0) throw new Error(`${[...failed.keys()].join(', ')} failed`);
}

runBench('bench', main);
