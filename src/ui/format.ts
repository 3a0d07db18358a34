/** Number and size formatting for the pages. */

const int = new Intl.NumberFormat('en-US');

/** 3000000 → "3,000,000". */
export function formatInt(n: number): string {
  return int.format(n);
}

/** Bytes in binary units: "4.4 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** Milliseconds per unit of an Arrow timestamp type's values. */
function timestampUnitMs(type: string): number {
  if (type.includes('NANOSECOND')) return 1e-6;
  if (type.includes('MICROSECOND')) return 1e-3;
  if (type.includes('MILLISECOND')) return 1;
  return 1000;
}

/**
 * A statistic with about 7 significant digits, or "—" when absent. For timestamp columns, `kind`
 * says whether the value is an instant (mean, min, max: shown as a date) or a spread (std: shown
 * as a duration).
 */
export function formatStat(v: number | null, type = '', kind: 'instant' | 'spread' | 'plain' = 'plain'): string {
  if (v === null || Number.isNaN(v)) return '—';
  if (type.startsWith('Timestamp') && Number.isFinite(v) && kind !== 'plain') {
    const ms = v * timestampUnitMs(type);
    if (kind === 'spread') return ms >= 86_400_000 ? `${(ms / 86_400_000).toFixed(1)} days` : `${(ms / 3_600_000).toFixed(2)} h`;
    // To the minute: the exact value is in the cell's data-value and title.
    return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  }
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return int.format(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return v.toExponential(4);
  return v.toLocaleString('en-US', { maximumSignificantDigits: 7 });
}

/** Milliseconds as "850 ms" or "2.3 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
