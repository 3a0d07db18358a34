/**
 * The two checks a room makes on every hello before it admits anyone: the room token, compared in
 * constant time, and a per-token rate limit on join attempts. Pure logic with an injected clock, so
 * both are unit-tested in Node.
 */

/**
 * True when `a` and `b` are the same string. The loop always runs over the longer length and never
 * exits early, so the time taken does not depend on where (or whether) the strings differ: a
 * volunteer cannot find the token one character at a time by timing refusals. Strings are capped
 * by the hello schema (256 characters), so the loop is bounded.
 */
export function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    // Past the end of the shorter string, compare against 0x10000 (no UTF-16 unit equals it), so a
    // prefix never matches and the loop body does the same work on every index.
    const x = i < a.length ? a.charCodeAt(i) : 0x10000;
    const y = i < b.length ? b.charCodeAt(i) : 0x10000;
    diff |= x ^ y;
  }
  return diff === 0;
}

/** Limits of {@link JoinRateLimiter}. */
export interface JoinRateOptions {
  /** Attempts allowed per key in any window. */
  readonly maxAttempts: number;
  /** Window length, ms. */
  readonly windowMs: number;
  /** Keys tracked at once; past this, every new key shares one overflow bucket. */
  readonly maxKeys: number;
}

/**
 * 20 joins per 10 s per token: a classroom of 30 that all scan the QR code in the same few seconds
 * shares one token, so the limit is per 10 s (about a QR scan's spread), and a reload loop or a
 * flood is cut off within its first second. 4096 keys bound the memory a flood of random tokens
 * can take.
 */
export const DEFAULT_JOIN_RATE: JoinRateOptions = { maxAttempts: 20, windowMs: 10_000, maxKeys: 4096 };

/** Key shared by every token that arrives while the table is full. */
const OVERFLOW_KEY = '\u0000overflow';

/**
 * Counts join attempts per presented token in a sliding window. `attempt` records one attempt and
 * says whether it is allowed; a refused attempt counts too, so a client that keeps hammering stays
 * refused until it pauses for a whole window.
 */
export class JoinRateLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(private readonly options: JoinRateOptions = DEFAULT_JOIN_RATE, private readonly now: () => number = Date.now) {}

  /** Records an attempt with `token`; true when it is within the limit. */
  attempt(token: string): boolean {
    const t = this.now();
    const since = t - this.options.windowMs;
    let key = token;
    if (!this.attempts.has(key) && this.attempts.size >= this.options.maxKeys) {
      this.prune(since);
      if (this.attempts.size >= this.options.maxKeys) key = OVERFLOW_KEY;
    }
    const times = (this.attempts.get(key) ?? []).filter((x) => x > since);
    times.push(t);
    // Keep at most one window's worth plus one: enough to know the key is over its limit.
    if (times.length > this.options.maxAttempts + 1) times.splice(0, times.length - this.options.maxAttempts - 1);
    this.attempts.set(key, times);
    return times.length <= this.options.maxAttempts;
  }

  /** Keys tracked now (for tests). */
  get size(): number {
    return this.attempts.size;
  }

  private prune(since: number): void {
    for (const [key, times] of this.attempts) if (!times.some((x) => x > since)) this.attempts.delete(key);
  }
}
