import { describe, expect, it } from 'vitest';
import { JoinRateLimiter, sameToken } from './join-guard';

describe('sameToken', () => {
  it('is true for equal strings, including empty ones', () => {
    expect(sameToken('', '')).toBe(true);
    expect(sameToken('q3JxW-_9a8', 'q3JxW-_9a8')).toBe(true);
  });

  it('is false wherever the strings differ: first, middle or last character', () => {
    const token = 'abcdefghijklmnopqrstuvwx';
    for (let i = 0; i < token.length; i++) {
      const other = token.slice(0, i) + (token[i] === 'z' ? 'y' : 'z') + token.slice(i + 1);
      expect(sameToken(token, other), `differs at ${i}`).toBe(false);
      expect(sameToken(other, token), `differs at ${i}, swapped`).toBe(false);
    }
  });

  it('is false for different lengths, a prefix, and the empty string', () => {
    expect(sameToken('abc', 'abcd')).toBe(false);
    expect(sameToken('abcd', 'abc')).toBe(false);
    expect(sameToken('', 'a')).toBe(false);
    expect(sameToken('a', '')).toBe(false);
  });

  it('does not confuse a missing character with NUL or with any UTF-16 unit', () => {
    expect(sameToken('ab', 'ab\u0000')).toBe(false);
    expect(sameToken('ab\uffff', 'ab')).toBe(false);
  });
});

describe('JoinRateLimiter', () => {
  const clock = (): { now: () => number; advance: (ms: number) => void } => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms) => (t += ms) };
  };

  it('allows maxAttempts per window and refuses the next one', () => {
    const c = clock();
    const limiter = new JoinRateLimiter({ maxAttempts: 20, windowMs: 10_000, maxKeys: 100 }, c.now);
    for (let i = 0; i < 20; i++) expect(limiter.attempt('tok'), `attempt ${i + 1}`).toBe(true);
    expect(limiter.attempt('tok')).toBe(false);
  });

  it('counts each token on its own: a flood of one wrong token does not lock out the right one', () => {
    const c = clock();
    const limiter = new JoinRateLimiter({ maxAttempts: 3, windowMs: 10_000, maxKeys: 100 }, c.now);
    for (let i = 0; i < 10; i++) limiter.attempt('wrong');
    expect(limiter.attempt('wrong')).toBe(false);
    expect(limiter.attempt('right')).toBe(true);
  });

  it('allows again once the window has slid past the earlier attempts', () => {
    const c = clock();
    const limiter = new JoinRateLimiter({ maxAttempts: 2, windowMs: 10_000, maxKeys: 100 }, c.now);
    expect(limiter.attempt('t')).toBe(true);
    c.advance(6_000);
    expect(limiter.attempt('t')).toBe(true);
    expect(limiter.attempt('t')).toBe(false);
    c.advance(4_001); // the first attempt is now out of the window; the refused one is not
    expect(limiter.attempt('t')).toBe(false);
    c.advance(10_001);
    expect(limiter.attempt('t')).toBe(true);
  });

  it('keeps refusing a client that never pauses', () => {
    const c = clock();
    const limiter = new JoinRateLimiter({ maxAttempts: 5, windowMs: 1_000, maxKeys: 100 }, c.now);
    const allowed: boolean[] = [];
    for (let i = 0; i < 100; i++) {
      allowed.push(limiter.attempt('t'));
      c.advance(100); // 10 a second, twice the limit
    }
    expect(allowed.slice(0, 5).every(Boolean)).toBe(true);
    expect(allowed.slice(5).some(Boolean)).toBe(false);
  });

  it('bounds its memory: past maxKeys, new tokens share one bucket, and expired keys are pruned', () => {
    const c = clock();
    const limiter = new JoinRateLimiter({ maxAttempts: 3, windowMs: 1_000, maxKeys: 10 }, c.now);
    for (let i = 0; i < 10; i++) expect(limiter.attempt(`k${i}`)).toBe(true);
    // The table is full: the next new tokens share the overflow bucket and its limit.
    expect(limiter.attempt('n1')).toBe(true);
    expect(limiter.attempt('n2')).toBe(true);
    expect(limiter.attempt('n3')).toBe(true);
    expect(limiter.attempt('n4')).toBe(false);
    expect(limiter.size).toBe(11);
    // A known key keeps its own count.
    expect(limiter.attempt('k0')).toBe(true);
    c.advance(1_001);
    expect(limiter.attempt('fresh')).toBe(true);
    expect(limiter.size).toBe(1);
  });
});
