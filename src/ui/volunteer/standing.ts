/** How a volunteer's standing reads on its page: plain words, so no colour carries it. */
import type { Standing } from '../../index';

/** 1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** One sentence for the class: the share of the work, the rank, and what that means. */
export function standingText(s: Standing | undefined): string {
  if (!s) return 'Your share of the work shows here once tasks start.';
  if (s.tasksDone === 0) return `No tasks done yet: ${s.of} device(s) in the fabric.`;
  const pct = (s.share * 100).toFixed(1);
  return `You did ${pct}% of the work so far: ${ordinal(s.rank)} of ${s.of} device(s).`;
}
