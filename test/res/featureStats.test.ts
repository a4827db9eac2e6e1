import { describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { featureStats } from '../../lib/diagnostics/featureStats.js';
import { Tensor } from '../../lib/tensor/Tensor.js';

describe('featureStats', () => {
  it('computes scale, mean cosine and μ as docs/methods.md §4 defines them', () => {
    // Rows (1,0), (0,1), (1,1): pairwise cosines 0, 1/√2, 1/√2.
    const s = tidy(() => featureStats(Tensor.from(new Float64Array([1, 0, 0, 1, 1, 1]), [3, 2])));
    expect(s.scale).toBeCloseTo(4 / 6, 14);
    expect(s.meanCosine).toBeCloseTo((0 + 2 * Math.SQRT1_2) / 3, 14);
    // mean (2/3, 2/3); centered rows (1/3, −2/3), (−2/3, 1/3), (1/3, 1/3): Σ squares = 12/9.
    expect(s.mu).toBeCloseTo(Math.sqrt(12 / 9), 14);
    expect(s.muNormalized).toBeCloseTo(Math.sqrt(12 / 9) / 2, 14);
  });

  it('gives mean cosine 1 and μ 0 for identical rows (full over-smoothing)', () => {
    const s = tidy(() => featureStats(Tensor.from(new Float64Array([2, 3, 2, 3, 2, 3]), [3, 2])));
    expect(s.meanCosine).toBeCloseTo(1, 14);
    expect(s.mu).toBe(0);
  });

  it('rejects a 1-D input naming its shape', () => {
    tidy(() => expect(() => featureStats(Tensor.from(new Float64Array(4)))).toThrow(/featureStats: z must be 2-D \[N, n\], got/));
  });
});
