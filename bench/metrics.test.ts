import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readBenchMetrics, resultsDir, RESULTS_DIR, writeBenchResults, type BenchMetrics } from './metrics.ts';

const METRICS: BenchMetrics = {
  bench: 'x', date: '2026-01-01T00:00:00.000Z', quick: true,
  metrics: [{ metric: 'm', unit: 'MB/s', fabric: 1, baselineLabel: 'b', baseline: 2, ratio: 0.5, target: '>= 0.8x', met: false, limit: null }],
};

describe('writeBenchResults', () => {
  it('writes the report and its metrics side by side, and reads them back', () => {
    const dir = mkdtempSync(`${tmpdir()}/bench-metrics-`);
    const files = writeBenchResults(`${dir}/out/`, 'x', '# X\n', METRICS);
    expect(files).toEqual({ md: `${dir}/out/x.md`, json: `${dir}/out/x.json` });
    expect(readFileSync(files.md, 'utf8')).toBe('# X\n');
    expect(readBenchMetrics(`${dir}/out`, 'x')).toEqual(METRICS);
    expect(readBenchMetrics(`${dir}/out`, 'missing')).toBeUndefined();
  });

  it('refuses a metric whose figure is not a finite number', () => {
    const dir = mkdtempSync(`${tmpdir()}/bench-metrics-`);
    const bad: BenchMetrics = { ...METRICS, metrics: [{ ...METRICS.metrics[0]!, ratio: NaN }] };
    expect(() => writeBenchResults(dir, 'x', '', bad)).toThrow('x: metric "m" has a figure that is not a finite number (1, 2, NaN)');
  });
});

describe('resultsDir', () => {
  it('writes where --out says, else to bench/results, and not at all for --quick without --out', () => {
    expect(resultsDir('/tmp/q', true)).toBe('/tmp/q');
    expect(resultsDir(undefined, false)).toBe(RESULTS_DIR);
    expect(resultsDir(undefined, true)).toBeUndefined();
  });
});
