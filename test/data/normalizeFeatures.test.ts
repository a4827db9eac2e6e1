import { describe, expect, it } from 'vitest';
import { normalizeFeatures } from '../../lib/data/index.js';

describe('normalizeFeatures', () => {
  it('scales each row to sum to 1 and leaves all-zero rows at 0', () => {
    const x = Float32Array.from([1, 1, 2, 0, 0, 0, 0, 5, 0]);
    normalizeFeatures(x, 3, 3);
    expect(Array.from(x)).toEqual([0.25, 0.25, 0.5, 0, 0, 0, 0, 1, 0]);
  });

  it('divides rows with negative entries by their absolute sum', () => {
    const x = Float32Array.from([1, -1, 2, -2]);
    normalizeFeatures(x, 1, 4);
    expect(Array.from(x)).toEqual([1 / 6, -1 / 6, 2 / 6, -2 / 6].map(Math.fround));
  });

  it('rejects a matrix whose size does not match its shape', () => {
    expect(() => normalizeFeatures(new Float32Array(5), 2, 3)).toThrow(RangeError);
  });
});
