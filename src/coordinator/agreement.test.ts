import { describe, expect, it } from 'vitest';
import { numericAgreement } from './agreement';

const out = (result: unknown, ...vectors: number[][]) => ({ result, binary: vectors.map((v) => new Uint8Array(Float64Array.from(v).buffer)) });

describe('numericAgreement', () => {
  const agree = numericAgreement(1e-3);

  it('accepts float32-sized rounding differences and different kernels', () => {
    expect(agree(out({ rows: 100, loss: 12.5, kernel: 'webgpu' }, [1000, 0.001, -3]), out({ rows: 100, loss: 12.5000001, kernel: 'cpu' }, [1000.00001, 0.0012, -3]))).toBeUndefined();
  });

  it('names a vector scaled by 10, a NaN, a reversed table and a different count', () => {
    expect(agree(out({ rows: 1 }, [1, 2, 3]), out({ rows: 1 }, [10, 20, 30]))).toMatch(/binary 0\[0\]: 1 vs 10/);
    expect(agree(out({ rows: 1 }, [1, 2, 3]), out({ rows: 1 }, [1, Number.NaN, 3]))).toMatch(/binary 0\[1\]/);
    expect(agree(out({ rows: 1 }, [1, 2, 3]), out({ rows: 1 }, [3, 2, 1]))).toMatch(/binary 0\[0\]/);
    expect(agree(out({ rows: 1 }, [1]), out({ rows: 2 }, [1]))).toMatch(/rows: 1 vs 2/);
    expect(agree(out({ groups: [{ status: 'ok' }] }), out({ groups: [{ status: 'singular' }] }))).toMatch(/groups\[0\]\.status/);
  });

  it('lets NaN agree with NaN (a row with a missing input scores NaN on every node)', () => {
    expect(agree(out({}, [Number.NaN, 1]), out({}, [Number.NaN, 1]))).toBeUndefined();
  });
});
