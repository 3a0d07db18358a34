import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../kernels/random.ts';
import { FabricError } from '../../protocol/errors.ts';
import type { HpNode, Space } from './space.ts';
import { activeLabels, hp, resolvePoint, samplePoint, validateSpace } from './space.ts';
import { gridPoints, suggestTpe } from './tpe.ts';

/** Runs `fn`, expecting a bad-input FabricError whose message contains every string in `mentions`. */
function expectBadInput(fn: () => unknown, ...mentions: string[]): FabricError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(FabricError);
  const err = caught as FabricError;
  expect(err.code).toBe('bad-input');
  for (const m of mentions) expect(err.message).toContain(m);
  expect(err.message).toMatch(/Fix:/);
  return err;
}

describe('hp builders reject bad arguments, naming the label', () => {
  const cases: [string, () => HpNode, string[]][] = [
    ['uniform low >= high', () => hp.uniform('lr', 1, 0), ["'lr'", 'low=1', 'high=0']],
    ['loguniform low == high', () => hp.loguniform('decay', 0, 0), ["'decay'", 'low < high']],
    ['quniform q = 0', () => hp.quniform('units', 0, 10, 0), ["'units'", 'q > 0']],
    ['qloguniform q < 0', () => hp.qloguniform('batch', 0, 5, -1), ["'batch'", 'q=-1']],
    ['normal sigma = 0', () => hp.normal('shift', 0, 0), ["'shift'", 'sigma > 0']],
    ['lognormal sigma < 0', () => hp.lognormal('scale', 0, -1), ["'scale'", 'sigma']],
    ['randint empty range', () => hp.randint('layers', 5, 5), ["'layers'", 'low < high']],
    ['randint(label, 0)', () => hp.randint('seedIndex', 0), ["'seedIndex'"]],
    ['randint non-integer', () => hp.randint('depth', 0.5, 3), ["'depth'", 'integer']],
    ['empty choice', () => hp.choice('optimizer', []), ["'optimizer'", 'non-empty']],
    ['NaN bound', () => hp.uniform('momentum', Number.NaN, 1), ["'momentum'", 'finite', 'NaN']],
    ['infinite bound', () => hp.uniform('wd', 0, Infinity), ["'wd'", 'finite', 'Infinity']],
    ['non-finite q', () => hp.quniform('step', 0, 1, Infinity), ["'step'", 'q']],
    ['empty label', () => hp.uniform('', 0, 1), ['empty label']],
  ];
  it.each(cases)('%s', (_name, build, mentions) => {
    expectBadInput(build, ...mentions);
  });
});

describe('validateSpace rejects bad spaces, naming the label', () => {
  it('finds bad hand-written nodes, also deep inside choices', () => {
    const raw = { kind: 'uniform', label: 'raw', low: 2, high: 1 } as const;
    expectBadInput(() => validateSpace({ a: raw }), "'raw'", 'validateSpace');
    const deep = { kind: 'normal', label: 'deep', mu: 0, sigma: 0 } as const;
    expectBadInput(() => validateSpace({ m: hp.choice('m', [1, { y: [deep] }]) }), "'deep'");
    const missing = { kind: 'quniform', label: 'noQ', low: 0, high: 1 } as unknown as HpNode;
    expectBadInput(() => validateSpace([missing]), "'noQ'", 'undefined');
    const badOptions = { kind: 'choice', label: 'opts', options: 'abc' } as unknown as HpNode;
    expectBadInput(() => validateSpace(badOptions), "'opts'");
  });

  it('rejects two different nodes with one label but allows a shared node', () => {
    expectBadInput(() => validateSpace({ a: hp.uniform('x', 0, 1), b: hp.uniform('x', 0, 2) }), "'x'", 'two different');
    const shared = hp.uniform('s', 0, 1);
    expect(validateSpace([shared, shared])).toHaveLength(1);
  });

  it('every entry point validates', () => {
    const bad: Space = { w: { kind: 'randint', label: 'w', low: 3, high: 1 } };
    expectBadInput(() => samplePoint(bad, seededRandom(1)), "'w'");
    expectBadInput(() => resolvePoint(bad, { w: 1 }), "'w'");
    expectBadInput(() => activeLabels(bad, { w: 1 }), "'w'");
    expectBadInput(() => gridPoints(bad), "'w'");
    expectBadInput(() => suggestTpe(bad, [], seededRandom(1)), "'w'");
  });
});

describe('points that do not fit their space', () => {
  const space: Space = { c: hp.choice('c', [{ a: hp.uniform('a', 0, 1) }, 'none']), r: hp.randint('r', 2) };

  it('a missing active label or an out-of-range choice index is named', () => {
    expectBadInput(() => resolvePoint(space, { c: 0, r: 1 }), "'a'", 'active');
    expectBadInput(() => resolvePoint(space, { c: 2, r: 1 }), "'c'", 'index');
    expectBadInput(() => activeLabels(space, { c: 0.5, r: 0 }), "'c'");
  });

  it('suggestTpe names bad trials and options', () => {
    const ok = (r: number) => ({ point: { c: 1, r }, loss: r, status: 'ok' as const });
    const trials = [ok(0), ok(1), { point: { c: 1, r: 7 }, loss: 1, status: 'ok' as const }];
    expectBadInput(() => suggestTpe(space, trials, seededRandom(1), { nStartupJobs: 0 }), "'r'", 'randint');
    expectBadInput(() => suggestTpe(space, [{ point: { c: 1, r: 0 }, loss: undefined, status: 'ok' }], seededRandom(1)),
      'trials[0]', 'loss');
    expectBadInput(() => suggestTpe(space, [], seededRandom(1), { gamma: 0 }), 'options.gamma');
    expectBadInput(() => suggestTpe(space, [], seededRandom(1), { nEiCandidates: 0 }), 'options.nEiCandidates');
    expectBadInput(() => suggestTpe(space, [], seededRandom(1), { priorWeight: -1 }), 'options.priorWeight');
  });

  it('gridPoints names the continuous label and the size cap', () => {
    expectBadInput(() => gridPoints({ a: hp.randint('a', 3), lr: hp.loguniform('lr', -5, 0) }), "'lr'", 'continuous');
    expectBadInput(() => gridPoints({ n: hp.normal('noise', 0, 1) }), "'noise'");
    expectBadInput(() => gridPoints({ a: hp.quniform('a', 0, 1000, 1), b: hp.randint('b', 1000) }), '100000');
  });
});
