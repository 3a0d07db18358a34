import { describe, expect, it } from 'vitest';
import { linearRegression } from '../../ml/models';
import type { CheckpointSummary } from '../../index';
import { ago, describeCheckpoint } from './resume-notice';

describe('the resume notice', () => {
  const now = 1_800_000_000_000;
  it('says what was interrupted, how far it got and when it was saved', () => {
    const train: CheckpointSummary = { id: 'c', kind: 'train', name: 'logistic', done: 23, total: 50, unit: 'iterations', savedAt: now - 125_000, dataset: 'flights-3m.parquet', needsFile: false, options: { target: 'y', features: ['x'], model: linearRegression() } };
    expect(describeCheckpoint(train, now)).toBe('A training run (logistic, 23 of 50 iterations, saved 2 min ago) was interrupted.');
    const tune: CheckpointSummary = { ...train, kind: 'tune', name: 'tune tpe on mlp', done: 7, total: 24, unit: 'trials', options: { space: {}, objective: 'mlp', maxEvals: 24 } };
    expect(describeCheckpoint(tune, now)).toBe('A tuning run (tune tpe on mlp, 7 of 24 trials, saved 2 min ago) was interrupted.');
    expect([ago(now - 2000, now), ago(now - 40_000, now), ago(now - 3 * 3600_000, now)]).toEqual(['just now', '40 s ago', '3 h ago']);
  });
});
