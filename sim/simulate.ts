/**
 * `npm run simulate`: Fabric's real scheduler with 1,000 simulated volunteers in virtual time, for
 * each paradigm's task pattern and for 10,000 tiny tasks. Prints the report and writes it to
 * bench/results/simulation.md (the default full run only) or to `--out`.
 *
 *   npm run simulate                       # full sizes, a few minutes
 *   npm run simulate -- --quick            # smaller sizes and budgets, under a minute; prints only
 *   npm run simulate -- --only train,tiny  # some scenarios
 *   npm run simulate -- --seed 2 --out /tmp/sim.md
 *   npm run simulate -- --silent 0          # no silent departures (every leave noticed at once)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FLEET, type FleetParams } from './fleet';
import { runIsolated, type IsolatedOutcome } from './isolate';
import { buildReport, type RunInfo } from './report';
import { FULL_SIZES, QUICK_SIZES, SCENARIO_NAMES, type ScenarioName } from './scenarios';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results', 'simulation.md');

/**
 * Scheduler CPU per scenario after which its jobs are cancelled, and the CPU deadline after which
 * its process is killed (for a call that never returns). Full: 60 s and 75 s, so the five
 * scenarios take a few minutes at worst; quick: 8 s and 10 s, so the run stays under a minute.
 */
const BUDGETS = { full: { cpuBudgetMs: 60_000, deadlineMs: 75_000 }, quick: { cpuBudgetMs: 8_000, deadlineMs: 10_000 } } as const;

interface Flags {
  readonly quick: boolean;
  readonly only: readonly ScenarioName[];
  readonly seed: number;
  readonly silentShare: number;
  readonly out: string | undefined;
}

function readFlags(argv: readonly string[]): Flags {
  const value = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    const a = argv[i]!;
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
  };
  const only = (value('--only')?.split(',') ?? [...SCENARIO_NAMES]).map((s) => s.trim());
  const unknown = only.filter((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`simulate: --only got ${unknown.join(', ')}; expected some of ${SCENARIO_NAMES.join(', ')}`);
  const seed = Number(value('--seed') ?? DEFAULT_FLEET.seed);
  if (!Number.isInteger(seed)) throw new Error(`simulate: --seed must be an integer, got ${value('--seed')}`);
  const silentShare = Number(value('--silent') ?? DEFAULT_FLEET.silentShare);
  if (!(silentShare >= 0 && silentShare <= 1)) throw new Error(`simulate: --silent must be a share from 0 to 1, got ${value('--silent')}`);
  const quick = argv.includes('--quick');
  const custom = seed !== DEFAULT_FLEET.seed || silentShare !== DEFAULT_FLEET.silentShare || only.length < SCENARIO_NAMES.length;
  // Only the default full run replaces the committed results; any other writes where --out says.
  return { quick, only: only as ScenarioName[], seed, silentShare, out: value('--out') ?? (quick || custom ? undefined : RESULTS) };
}

/** Commit, and whether the scheduler or anything else under src/ differs from it. */
function codeState(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean);
    const scheduler = changed.some((l) => l.endsWith('src/coordinator/scheduler.ts')) ? 'scheduler.ts modified' : 'scheduler.ts as committed';
    return `${git('rev-parse', '--short', 'HEAD')}, ${scheduler}, ${changed.length} uncommitted file(s) under src/ (measured as the tree was)`;
  } catch {
    return 'unknown (no git)';
  }
}

function summary(o: IsolatedOutcome): string {
  if (o.kind === 'killed') return `${o.name}: killed after ${o.cpuS.toFixed(0)} s of CPU, ${o.progress?.starts ?? 0} starts`;
  const r = o.result;
  return `${r.name}: ${(r.jobMs / 1000).toFixed(1)} s virtual (ideal ${(r.idealMs / 1000).toFixed(1)} s), ${r.startsMeasured} starts, scheduler ${(r.schedulerMs / 1000).toFixed(1)} s CPU, lost ${r.counts.lost}, duplicated ${r.counts.duplicated}${r.note ? `; ${r.note}` : ''}`;
}

async function main(): Promise<void> {
  const flags = readFlags(process.argv.slice(2));
  const mode = flags.quick ? 'quick' : 'full';
  const budget = BUDGETS[mode];
  const fleet: FleetParams = { ...DEFAULT_FLEET, seed: flags.seed, silentShare: flags.silentShare };
  const started = performance.now();
  const loadStart = os.loadavg();
  const outcomes: IsolatedOutcome[] = [];
  for (const scenario of flags.only) {
    const t0 = performance.now();
    const outcome = await runIsolated({ scenario, sizes: flags.quick ? QUICK_SIZES : FULL_SIZES, fleet, cpuBudgetMs: budget.cpuBudgetMs }, budget.deadlineMs);
    console.error(`[simulate] ${summary(outcome)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    outcomes.push(outcome);
  }
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(', ');
  const info: RunInfo = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${os.type()} ${os.release()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    node: `Node ${process.version}`,
    code: codeState(),
    mode, seed: flags.seed,
    runSeconds: (performance.now() - started) / 1000,
    load: `${load(loadStart)} at the start, ${load(os.loadavg())} at the end`,
    ...budget,
  };
  const report = buildReport(info, outcomes, fleet);
  console.log(report);
  if (flags.out) {
    mkdirSync(dirname(flags.out), { recursive: true });
    writeFileSync(flags.out, report);
    console.error(`[simulate] wrote ${flags.out}`);
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(`simulate failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});
