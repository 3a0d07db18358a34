import { describe, expect, it } from 'vitest';
import { checkMarkdownTables } from './check-tables.ts';
import type { Limits } from './limits-report.ts';
import type { BenchMetrics } from './metrics.ts';
import { formatFigure, renderSummary, type SummaryInfo } from './summary.ts';

const LIMITS: Limits = {
  date: '2026-01-01T00:00:00.000Z', quick: true, chromium: '156.0', cpuModel: 'Test CPU', cores: 2, os: 'Linux',
  settings: { copyBytes: 1, copyRepeats: 1, matmulSize: 1, matmulRepeats: 1, channelBytes: 1, channelRounds: 3 },
  copyBytesPerSecond: 10e9,
  wasm: { flopsPerSecond: 30e9, threads: 1, msEach: [70], crossOriginIsolated: true },
  // Median 40 MB/s.
  channel: { rates: [50e6, 40e6, 20e6] },
  runSeconds: 9,
};

const TRANSPORT: BenchMetrics = {
  bench: 'transport', date: LIMITS.date, quick: true,
  metrics: [{ metric: 'one partition', unit: 'MB/s', fabric: 32, baselineLabel: 'raw RTCDataChannel', baseline: 37, ratio: 32 / 37, target: '>= 0.80x', met: true,
    limit: { kind: 'raw-channel', value: 32e6, conversion: 'MB/s x 10^6 bytes' } }],
};
const TUNE: BenchMetrics = {
  bench: 'tune', date: LIMITS.date, quick: true,
  metrics: [{ metric: 'efficiency | k = 4', unit: 's', fabric: 1.05, baselineLabel: 'ideal', baseline: 1, ratio: 0.952, target: '>= 0.9', met: true, limit: null }],
};

const INFO: SummaryInfo = {
  date: '2026-01-01T00:01:00.000Z', cpuModel: 'Test CPU', cores: 2, os: 'Linux', chromium: '156.0', commit: 'abc1234', srcChanges: 0,
  loadStart: [0.5, 0.4, 0.3], loadEnd: [1, 1, 1], runSeconds: 150, quick: true, benches: ['transport', 'tune', 'score'],
  failed: new Map([['score', 'exited with code 1']]),
};

describe('renderSummary', () => {
  const md = renderSummary([TRANSPORT, TUNE], LIMITS, INFO);
  const rows = md.split('\n').filter((l) => l.startsWith('| transport') || l.startsWith('| tune'));

  it('writes one row per metric with the fraction of the limit measured in the run', () => {
    expect(rows).toHaveLength(2);
    // 32e6 bytes/s over the channel's median of 40e6.
    expect(rows[0]).toBe('| transport: one partition | 32.0 MB/s | 37.0 MB/s (raw RTCDataChannel) | 0.865x | >= 0.80x | met | raw channel 40.0 MB/s | 0.800 |');
  });

  it('shows a dash for a metric without a limit and escapes pipes in text', () => {
    expect(rows[1]).toBe('| tune: efficiency \\| k = 4 | 1.05 s | 1.00 s (ideal) | 0.952x | >= 0.9 | met | - | - |');
  });

  it('states mode, code, failures and the conversions, and its tables are well formed', () => {
    expect(md).toContain('- Mode: quick');
    expect(md).toContain('- Code: abc1234');
    expect(md).toContain('- **score failed**: exited with code 1');
    expect(md).toContain('transport, one partition: MB/s x 10^6 bytes (limit: raw-channel, bytes/s)');
    expect(checkMarkdownTables('summary.md', md)).toEqual([]);
  });

  it('divides by the limit a benchmark timed in its own rounds when it gives one', () => {
    const own: BenchMetrics = { ...TRANSPORT, metrics: [{ ...TRANSPORT.metrics[0]!, limit: { kind: 'raw-channel', value: 32e6, conversion: 'c', measured: 37e6 } }] };
    const line = renderSummary([own], LIMITS, INFO).split('\n').find((l) => l.startsWith('| transport'));
    expect(line).toBe("| transport: one partition | 32.0 MB/s | 37.0 MB/s (raw RTCDataChannel) | 0.865x | >= 0.80x | met | raw channel 37.0 MB/s (timed beside it in transport) | 0.865 |");
  });

  it('lists the lines a benchmark could not give a figure for', () => {
    const md = renderSummary([{ ...TUNE, omitted: ["evaluations to Branin <= 0.5: TPE's median is past the cap of 150, so there is no ratio"] }], LIMITS, INFO);
    expect(md).toContain("- Not in the table, tune: evaluations to Branin <= 0.5: TPE's median is past the cap of 150, so there is no ratio");
  });

  it('shows dashes for every limit when the limits run wrote nothing', () => {
    const noLimits = renderSummary([TRANSPORT], undefined, INFO);
    expect(noLimits).toContain('| met | - | - |');
  });
});

describe('formatFigure', () => {
  it.each([
    [1234567.8, '1,234,568'], [123.456, '123.5'], [31.09, '31.1'], [0.8649, '0.865'], [0.0123456, '0.0123'], [0, '0'], [-2.5, '-2.50'],
  ])('formats %s as %s', (x, s) => expect(formatFigure(x)).toBe(s));

  it('refuses a figure that is not finite', () => {
    expect(() => formatFigure(NaN)).toThrow('summary: NaN is not a figure');
  });
});
