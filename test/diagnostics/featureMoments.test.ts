import { describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { featureMoments } from '../../lib/diagnostics/featureMoments.js';
import { featureStats } from '../../lib/diagnostics/featureStats.js';
import { momentStats } from '../../lib/diagnostics/momentStats.js';
import { overCorrelation } from '../../lib/diagnostics/overCorrelation.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { expectThrows } from '../helpers/apiFixtures.js';
import { centeredGram, columnMeans, randomMatrix, referenceOverCorrelation, referenceStats } from './reference.js';

// Every accumulation is float64 in both the kernel and the reference, on identical input values
// (an f32 tensor's values are compared through their f32 rounding): only summation order
// differs, so relative errors stay near 1e-13; 1e-10 leaves a wide margin.
const REL = 1e-10;

function close(actual: number, expected: number, scale = Math.abs(expected)): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(REL * Math.max(scale, 1e-300));
}

describe.each(['f32', 'f64'] as const)('featureMoments on %s tensors', (dtype) => {
  const rows = 301; // more than one 256-row block of the CPU reduction
  const cols = 7;
  const raw = randomMatrix(rows, cols, 11, [3, 200]);
  const x = dtype === 'f32' ? Float64Array.from(Float32Array.from(raw)) : raw;

  it('match a float64 reference: sums, means, unit-row sums and the centered Gram', () => {
    const m = tidy(() => featureMoments(Tensor.from(x, [rows, cols], { dtype }), { gram: true }));
    const ref = referenceStats(x, rows, cols);
    close(m.sumSquares, ref.norm ** 2);
    expect(m.nonzeroRows).toBe(rows - 2);
    close(m.centeredSumSquares, ref.mu ** 2);
    const mean = columnMeans(x, rows, cols);
    mean.forEach((v, c) => close(m.mean[c], v, 1));
    const unit = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const n = Math.hypot(...x.subarray(r * cols, (r + 1) * cols));
      if (n > 0) for (let c = 0; c < cols; c++) unit[c] += x[r * cols + c] / n;
    }
    unit.forEach((v, c) => close(m.unitSum[c], v, rows));
    const g = centeredGram(x, rows, cols);
    g.forEach((v, i) => close(m.centeredGram![i], v, rows));
  });

  it('give scale, μ, normalized μ and mean cosine as their definitions do', () => {
    const s = tidy(() => momentStats(featureMoments(Tensor.from(x, [rows, cols], { dtype }))));
    const ref = referenceStats(x, rows, cols);
    close(s.scale, ref.scale);
    close(s.mu, ref.mu);
    close(s.muNormalized, ref.muNormalized);
    close(s.meanCosine, ref.meanCosine, 1);
    const legacy = tidy(() => featureStats(Tensor.from(x, [rows, cols], { dtype })));
    close(legacy.mu, ref.mu);
  });

  it('give over-correlation as the mean |Pearson correlation| over channel pairs', () => {
    const oc = tidy(() => overCorrelation(Tensor.from(x, [rows, cols], { dtype })));
    close(oc, referenceOverCorrelation(x, rows, cols), 1);
  });

  it('skip the Gram unless asked for it', () => {
    const m = tidy(() => featureMoments(Tensor.from(x, [rows, cols], { dtype })));
    expect(m.centeredGram).toBeNull();
  });
});

describe('moment invariants', () => {
  it('μ of a matrix whose rows are all equal is 0, and its mean cosine 1', () => {
    const rows = 50;
    const row = [0.3, -1.7, 2.25];
    const x = Float64Array.from({ length: rows * 3 }, (_, i) => row[i % 3]);
    const s = tidy(() => momentStats(featureMoments(Tensor.from(x, [rows, 3]))));
    expect(s.mu).toBeLessThan(1e-14 * s.norm);
    expect(s.meanCosine).toBeCloseTo(1, 12);
  });

  it('over-correlation is 1 for channels that are affine images of one another', () => {
    const rows = 40;
    const base = randomMatrix(rows, 1, 3);
    const x = Float64Array.from({ length: rows * 3 }, (_, i) => [1, -2, 0.5][i % 3] * base[Math.floor(i / 3)] + (i % 3));
    expect(tidy(() => overCorrelation(Tensor.from(x, [rows, 3])))).toBeCloseTo(1, 12);
  });

  it('keeps the digits of a tiny spread (the centered pass does not cancel)', () => {
    // Rows 1e3 + 1e-6·noise: ‖X‖² − N‖m‖² would lose every digit of μ² ≈ 1e-12·N in float64.
    const rows = 200;
    const noise = randomMatrix(rows, 2, 5);
    const x = noise.map((v) => 1e3 + 1e-6 * v);
    const s = tidy(() => momentStats(featureMoments(Tensor.from(x, [rows, 2]))));
    const ref = referenceStats(x, rows, 2);
    expect(Math.abs(s.mu - ref.mu) / ref.mu).toBeLessThan(1e-6);
  });
});

describe('featureMoments given bad input', () => {
  it('names the function and the argument', () => {
    tidy(() => {
      expectThrows(() => featureMoments('x' as never), TypeError, 'featureMoments: argument z must be a Tensor');
      expectThrows(() => featureMoments(Tensor.from([1, 2, 3])), RangeError, 'featureMoments: argument z must be 2-D');
      expectThrows(() => featureMoments(Tensor.from(new Int32Array(4), [2, 2])), TypeError, 'featureMoments: argument z must be f32 or f64');
      expectThrows(() => overCorrelation({} as never), TypeError, 'overCorrelation: argument z');
    });
  });
});
