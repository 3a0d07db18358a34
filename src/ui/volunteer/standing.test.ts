import { describe, expect, it } from 'vitest';
import { ordinal, standingText } from './standing';

describe('standing text', () => {
  it('writes ordinals, teens included', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th']);
  });

  it('says what a standing means in words', () => {
    expect(standingText(undefined)).toMatch(/once tasks start/);
    expect(standingText({ tasksDone: 0, share: 0, rank: 3, of: 4 })).toBe('No tasks done yet: 4 device(s) in the fabric.');
    expect(standingText({ tasksDone: 12, share: 0.125, rank: 2, of: 13 })).toBe('You did 12.5% of the work so far: 2nd of 13 device(s).');
  });
});
