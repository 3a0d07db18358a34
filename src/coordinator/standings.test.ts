import { describe, expect, it } from 'vitest';
import { computeStandings } from './standings';

describe('computeStandings', () => {
  it('ranks by tasks committed with shares that sum to 1', () => {
    const s = computeStandings([
      { id: 'a', tasksDone: 10, joinedAt: 1 },
      { id: 'b', tasksDone: 30, joinedAt: 2 },
      { id: 'c', tasksDone: 60, joinedAt: 3 },
    ]);
    expect(s.get('c')).toEqual({ tasksDone: 60, share: 0.6, rank: 1, of: 3 });
    expect(s.get('b')).toEqual({ tasksDone: 30, share: 0.3, rank: 2, of: 3 });
    expect(s.get('a')).toEqual({ tasksDone: 10, share: 0.1, rank: 3, of: 3 });
  });

  it('breaks ties by join time, so equal nodes keep their ranks', () => {
    const s = computeStandings([
      { id: 'late', tasksDone: 5, joinedAt: 9 },
      { id: 'early', tasksDone: 5, joinedAt: 1 },
    ]);
    expect(s.get('early')!.rank).toBe(1);
    expect(s.get('late')!.rank).toBe(2);
  });

  it('gives shares of 0 before any task is done, and nothing for no nodes', () => {
    const s = computeStandings([{ id: 'a', tasksDone: 0, joinedAt: 1 }]);
    expect(s.get('a')).toEqual({ tasksDone: 0, share: 0, rank: 1, of: 1 });
    expect(computeStandings([]).size).toBe(0);
  });
});
