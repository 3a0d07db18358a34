import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../kernels/random.ts';
import { erfc, normalMass, normalSample, roundHalfEven } from './distributions.ts';
import type { MixtureDomain } from './gmm.ts';
import { mixtureLogPdf, prepareMixture, sampleMixture } from './gmm.ts';
import type { Mixture } from './parzen.ts';
import { adaptiveParzenNormal, linearForgettingWeights } from './parzen.ts';
import { categoricalPosterior } from './tpe-categorical.ts';
import { splitBelow } from './tpe-trials.ts';

describe('numeric helpers', () => {
  it('erfc matches reference values with small relative error, tails included', () => {
    const ref: [number, number][] = [
      [0, 1], [0.5, 0.4795001221869535], [1, 0.15729920705028513], [2, 0.004677734981047266],
      [-1, 1.8427007929497148], [5, 1.5374597944280349e-12], [10, 2.088487583762545e-45],
    ];
    for (const [x, want] of ref) expect(Math.abs(erfc(x) / want - 1)).toBeLessThan(2e-7);
  });

  it('normalMass keeps relative precision far in a tail', () => {
    expect(normalMass(-1, 1, 0, 1)).toBeCloseTo(0.6826894921370859, 6);
    // Q(10) − Q(11) for a standard normal, where Φ(11) − Φ(10) would cancel to 0.
    expect(Math.abs(normalMass(10, 11, 0, 1) / 7.619661958203077e-24 - 1)).toBeLessThan(1e-5);
    expect(normalMass(-Infinity, Infinity, 3, 2)).toBeCloseTo(1, 12);
  });

  it('normalSample has mean mu and variance sigma²', () => {
    const random = seededRandom(9);
    const xs = Array.from({ length: 20_000 }, () => normalSample(random, -1, 3));
    const m = xs.reduce((s, v) => s + v, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(m + 1)).toBeLessThan(5 * 3 / Math.sqrt(xs.length));
    expect(Math.abs(v / 9 - 1)).toBeLessThan(0.05);
  });

  it('roundHalfEven rounds ties to even, like numpy', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
  });
});

describe('adaptive Parzen estimator (hyperopt adaptive_parzen_normal)', () => {
  it('linear forgetting: ones up to lf, then a ramp from 1/n for the oldest', () => {
    expect([...linearForgettingWeights(5, 25)]).toEqual([1, 1, 1, 1, 1]);
    expect([...linearForgettingWeights(26, 25)].slice(0, 2)).toEqual([1 / 26, 1]);
    const w = linearForgettingWeights(30, 25);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[2]).toBeCloseTo(1 / 30 + 2 * (1 - 1 / 30) / 4, 12);
    expect(w[4]).toBeCloseTo(1, 12);
    expect([...w.slice(5)].every((v) => v === 1)).toBe(true);
  });

  it('no observations: the prior alone', () => {
    const m = adaptiveParzenNormal([], 1, 0.5, 1, 25);
    expect([...m.weights, ...m.mus, ...m.sigmas]).toEqual([1, 0.5, 1]);
  });

  it('one observation: prior after it on the right, half-width sigma', () => {
    const m = adaptiveParzenNormal([0.2], 1, 0.5, 1, 25);
    expect([...m.mus]).toEqual([0.2, 0.5]);
    expect([...m.sigmas]).toEqual([0.5, 1]);
    expect([...m.weights]).toEqual([0.5, 0.5]);
  });

  it('several observations: neighbour gaps clipped to [prior/(1+k), prior], prior weight', () => {
    const m = adaptiveParzenNormal([0.9, 0.1, 0.3], 2, 0.5, 1, 25);
    expect([...m.mus]).toEqual([0.1, 0.3, 0.5, 0.9]);
    const sig = [...m.sigmas];
    // Raw gaps 0.2, 0.2, (prior), 0.4; the floor is 1 / min(100, 1 + 4) = 0.2.
    [0.2, 0.2, 1, 0.4].forEach((want, k) => expect(sig[k]).toBeCloseTo(want, 12));
    expect([...m.weights]).toEqual([0.2, 0.2, 0.4, 0.2]);
  });

  it('forgetting weights follow the observations, not their sorted order', () => {
    const obs = Array.from({ length: 27 }, (_, i) => 26 - i); // oldest is largest
    const m = adaptiveParzenNormal(obs, 1, 100, 1000, 25);
    // The oldest observation (26) is the last before the prior (100), with the smallest weight.
    const total = 1 + (1 / 27 + 1) + 25;
    expect(m.weights[26]).toBeCloseTo(1 / 27 / total, 12);
    expect(m.weights[27]).toBeCloseTo(1 / total, 12);
    expect(m.weights[0]).toBeCloseTo(1 / total, 12);
  });
});

describe('mixture densities (hyperopt GMM1_lpdf / LGMM1_lpdf)', () => {
  const mix: Mixture = adaptiveParzenNormal([0.5, 2.2, 2.4, 4.9], 1, 2.5, 5, 25);

  it('a truncated density integrates to 1 over its bounds', () => {
    const domain: MixtureDomain = { low: 0, high: 5, log: false };
    const m = prepareMixture(mix, domain);
    const steps = 20_000;
    let integral = 0;
    for (let i = 0; i < steps; i++) integral += Math.exp(mixtureLogPdf((i + 0.5) * (5 / steps), m)) * (5 / steps);
    expect(integral).toBeCloseTo(1, 6);
  });

  it('quantized bucket masses sum to 1, plain and log-scaled', () => {
    const plain = prepareMixture(mix, { low: 0, high: 5, q: 0.5, log: false });
    let sum = 0;
    for (let k = 0; k <= 10; k++) sum += Math.exp(mixtureLogPdf(k * 0.5, plain));
    expect(sum).toBeCloseTo(1, 6);
    const logMix = adaptiveParzenNormal([0.5, 2, 3.5], 1, 2, 4, 25);
    const logged = prepareMixture(logMix, { low: 0, high: 4, q: 5, log: true });
    sum = 0;
    for (let k = 0; k <= Math.round(Math.exp(4) / 5); k++) sum += Math.exp(mixtureLogPdf(k * 5, logged));
    expect(sum).toBeCloseTo(1, 6);
  });

  it('draws stay inside the bounds and follow the density', () => {
    const domain: MixtureDomain = { low: 0, high: 5, log: false };
    const random = seededRandom(4);
    const xs = Array.from({ length: 20_000 }, () => sampleMixture(mix, domain, random));
    expect(xs.every((x) => x >= 0 && x < 5)).toBe(true);
    const m = prepareMixture(mix, domain);
    let want = 0;
    for (let i = 0; i < 2000; i++) want += Math.exp(mixtureLogPdf((i + 0.5) * (2 / 2000), m)) * (2 / 2000);
    expect(Math.abs(xs.filter((x) => x < 2).length / xs.length - want)).toBeLessThan(0.015);
  });
});

describe('categorical posterior and the below/above split', () => {
  it('counts plus prior pseudo-counts, normalised', () => {
    expect([...categoricalPosterior([0, 0, 2], 3, 1, 25)]).toEqual([3 / 6, 1 / 6, 2 / 6]);
  });

  it('below set is the best ceil(gamma·√n), capped at 25, ties in input order', () => {
    expect(splitBelow([5, 1, 3, 1, 9], 0.25)).toEqual([false, true, false, false, false]);
    expect(splitBelow(Array.from({ length: 100 }, (_, i) => 100 - i), 0.25).filter(Boolean)).toHaveLength(3);
    expect(splitBelow(Array.from({ length: 20_000 }, (_, i) => i), 0.25).filter(Boolean)).toHaveLength(25);
  });
});
