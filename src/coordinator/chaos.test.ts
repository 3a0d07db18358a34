/**
 * Churn under every paradigm (issue 7, item 2): each paradigm's real job driver runs on in-process
 * nodes while a seeded schedule loses nodes, brings fresh ones in and slows others, at moments
 * counted in the scheduler's own events. Every run must give the fault-free result, commit each
 * task once, and have actually exercised a fault. `npm run chaos` runs many more schedules.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { chaosParadigms, type ChaosParadigm } from '../testing/chaos/paradigms';
import { liarRun } from '../testing/chaos/liars';
import { chaosRun, cleanRun, type CleanRun } from '../testing/chaos/run';
import { LIE_MODES } from '../worker/liar';

/** Schedules per paradigm in CI; seeds differ per paradigm so no two runs share a schedule. */
const SCHEDULES = 10;

let paradigms: ChaosParadigm[] = [];
const clean = new Map<string, CleanRun>();

beforeAll(async () => {
  paradigms = await chaosParadigms();
  for (const p of paradigms) clean.set(p.name, await cleanRun(p));
}, 120_000);

describe('churn under every paradigm (seeded chaos)', () => {
  for (const [i, name] of ['train', 'fitGroups', 'tune (random)', 'tune (tpe)', 'score'].entries()) {
    it(`${name}: ${SCHEDULES} schedules give the fault-free result, each task committed once`, async () => {
      const paradigm = paradigms.find((p) => p.name === name)!;
      const base = clean.get(name)!;
      expect(base.audit.closed).toBe(0);
      let faults = 0;
      for (let s = 1; s <= SCHEDULES; s++) {
        const out = await chaosRun(paradigm, base, 1000 * (i + 1) + s);
        // The report names the seed and every fault, so a failure can be replayed.
        expect(out.problems, out.report).toEqual([]);
        expect(out.verdict.lost, out.report).toBe(0);
        expect(out.verdict.duplicated, out.report).toBe(0);
        faults += out.audit.closed;
      }
      expect(faults).toBeGreaterThanOrEqual(SCHEDULES);
    }, 180_000);
  }
});

describe('lying volunteers under verification mode', () => {
  for (const name of ['train', 'fitGroups', 'score']) {
    it(`${name}: a volunteer that scales, NaNs or reverses its results is excluded, and the result is the honest one`, async () => {
      const paradigm = paradigms.find((p) => p.name === name)!;
      let lies = 0;
      for (const [k, mode] of LIE_MODES.entries()) {
        const out = await liarRun(paradigm, clean.get(name)!, mode, 7 + k);
        expect(out.problems, `${name} with a ${mode} liar (seed ${out.seed}): ${out.audit.log.join('; ')}`).toEqual([]);
        lies += out.lies;
      }
      // The liars must have lied, or the checks above prove nothing.
      expect(lies).toBeGreaterThan(0);
    }, 120_000);
  }
});
