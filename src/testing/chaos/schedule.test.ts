import { describe, expect, it } from 'vitest';
import { describeSchedule, planChaos } from './schedule';

describe('planChaos', () => {
  it('gives the same schedule for the same seed and span, and another for another seed', () => {
    expect(planChaos(42, [2, 1], 30)).toEqual(planChaos(42, [2, 1], 30));
    expect(describeSchedule(planChaos(43, [2, 1], 30))).not.toBe(describeSchedule(planChaos(42, [2, 1], 30)));
  });

  it('opens with a loss at a task start, keeps 2 to 5 faults, and draws moments within the span', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const s = planChaos(seed, [2, 2], 17);
      expect(s.events[0]).toMatchObject({ after: 'task-started', action: { kind: 'close' } });
      expect(s.events.length).toBeGreaterThanOrEqual(2);
      expect(s.events.length).toBeLessThanOrEqual(5);
      for (const e of s.events) {
        expect(e.count).toBeGreaterThanOrEqual(1);
        expect(e.count).toBeLessThanOrEqual(17);
      }
    }
  });

  it('names the seed, nodes, span and every fault in its description', () => {
    const s = planChaos(7, [2, 1, 1], 12);
    const text = describeSchedule(s);
    expect(text).toMatch(/^seed 7, nodes \[2, 1, 1\], span 12 tasks: close\((worker-lost|link-closed)\) after task-started #\d+/);
    expect(text.split('; ')).toHaveLength(s.events.length);
  });
});
