import { describe, expect, it } from 'vitest';
import { resumableRandom, seededRandom } from './random';

describe('resumableRandom', () => {
  it('draws what seededRandom draws, and continues from its saved state', () => {
    const plain = seededRandom(-7);
    const expected = Array.from({ length: 20 }, () => plain());
    const r = resumableRandom(-7 >>> 0);
    const first = Array.from({ length: 8 }, () => r.next());
    const resumed = resumableRandom(r.state());
    const rest = Array.from({ length: 12 }, () => resumed.next());
    expect([...first, ...rest]).toEqual(expected);
  });
});
