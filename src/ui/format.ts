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

/** A statistic with about 6 significant digits, or "—" when absent. */
export function formatStat(v: number | null, type = ''): string {
  if (v === null || Number.isNaN(v)) return '—';
  if (type.startsWith('Timestamp') && Number.isFinite(v)) {
    const ms = type.includes('MICRO') ? v / 1000 : type.includes('NANO') ? v / 1e6 : type.includes('SECOND>') && !type.includes('MILLI') ? v * 1000 : v;
    return new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
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
