/**
 * `npm run chaos`: the nightly-style churn run. Many seeded chaos schedules per paradigm through
 * the harness that src/coordinator/chaos.test.ts uses in CI; prints every failing schedule (its
 * seed replays it) and a summary, and writes the summary into bench/results/reliability.md.
 *
 *   npm run chaos                                   # 200 schedules per paradigm, seeds from 1
 *   npm run chaos -- --schedules 50 --seed 1
 *   npm run chaos -- --paradigm score --seed 5001 --schedules 1   # replay one schedule
 *
 * Exits 1 when any run broke a rule (the file is written all the same, showing the failure).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chaosParadigms } from '../src/testing/chaos/paradigms';
import { chaosRun, cleanRun, type ChaosOutcome } from '../src/testing/chaos/run';
import { chaosSection, chaosTable, withSection, type ParadigmTotals } from './chaos-report';
import { liarRun, type LiarOutcome } from '../src/testing/chaos/liars';
import { LIE_MODES } from '../src/worker/liar';
import { LIARS_SECTION, liarsSection } from './liars-report';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'results', 'reliability.md');

interface Flags {
  readonly schedules: number;
  readonly seed: number;
  readonly paradigm: string | undefined;
  /** Only a full run over every paradigm writes the results file. */
  readonly write: boolean;
}

function readFlags(argv: readonly string[]): Flags {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const whole = (name: string, fallback: number, min: number): number => {
    const raw = value(name);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`chaos: --${name} must be a whole number of at least ${min}, got ${raw}`);
    return n;
  };
  const paradigm = value('paradigm');
  return { schedules: whole('schedules', 200, 1), seed: whole('seed', 1, 0), paradigm, write: paradigm === undefined && !argv.includes('--no-write') };
}

async function main(): Promise<void> {
  const flags = readFlags(process.argv.slice(2));
  const t0 = performance.now();
  const paradigms = (await chaosParadigms()).filter((p) => flags.paradigm === undefined || p.name === flags.paradigm);
  if (paradigms.length === 0) throw new Error(`chaos: no paradigm named "${flags.paradigm}"; use train, fitGroups, "tune (random)", "tune (tpe)" or score`);
  const totals: ParadigmTotals[] = [];
  let failed = 0;
  for (const p of paradigms) {
    const clean = await cleanRun(p);
    const outcomes: ChaosOutcome[] = [];
    for (let s = 0; s < flags.schedules; s++) {
      const out = await chaosRun(p, clean, flags.seed + s);
      outcomes.push(out);
      if (out.problems.length > 0) {
        failed += 1;
        console.error(out.report);
      }
    }
    totals.push({ name: p.name, outcomes });
    console.info(`${p.name}: ${outcomes.length} schedules, ${outcomes.filter((o) => o.problems.length > 0).length} failed`);
  }
  console.info(`\n${chaosTable(totals)}\n`);
  const seconds = (performance.now() - t0) / 1000;
  // Lying volunteers: one run per mode and seed for every paradigm whose results are vectors
  // (tune's are losses that differ between backends, so its trials are not checked).
  const t1 = performance.now();
  const liars: LiarOutcome[] = [];
  const liarRuns = Math.max(1, Math.round(flags.schedules / 10));
  for (const p of paradigms.filter((x) => ['train', 'fitGroups', 'score'].includes(x.name))) {
    const clean = await cleanRun(p);
    for (const mode of LIE_MODES) {
      for (let s = 0; s < liarRuns; s++) {
        const out = await liarRun(p, clean, mode, flags.seed + s);
        liars.push(out);
        if (out.problems.length > 0) {
          failed += 1;
          console.error(`${p.name} with a ${mode} liar, seed ${out.seed}: ${out.problems.join('; ')}`);
        }
      }
    }
  }
  const liarSeconds = (performance.now() - t1) / 1000;
  console.info(`liars: ${liars.length} runs, ${liars.filter((o) => o.problems.length > 0).length} failed`);
  if (flags.write) {
    const command = `npm run chaos -- --schedules ${flags.schedules} --seed ${flags.seed}`;
    let text = withSection(existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '', chaosSection(totals, command, seconds));
    text = withSection(text, liarsSection(liars, command, liarSeconds), LIARS_SECTION);
    writeFileSync(RESULTS, text);
    console.info(`wrote ${RESULTS}`);
  }
  console.info(`${failed === 0 ? 'every schedule gave the fault-free result' : `${failed} schedules broke a rule`} (${seconds.toFixed(0)} s)`);
  // The dropped nodes' slots finish their abandoned work in the background; do not wait for it.
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
