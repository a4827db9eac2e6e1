import { afterEach, describe, expect, it } from 'vitest';

import { native } from '../../lib/binding/native.js';
import { symmetricEigenvalues } from '../../lib/diagnostics/symmetricEigenvalues.js';
import { setDeterministic } from '../../lib/runtime/devices.js';
import { expectFathom, expectThrows } from '../helpers/apiFixtures.js';
import { randomMatrix } from './reference.js';

// Builds without LAPACK (node-gyp, or a BLAS without dsyevd_) answer null; the TS path then serves.
const hasLapack = native().symmetricEigenvalues(Float64Array.of(1), 1) !== null;

function symmetric(n: number, seed: number): Float64Array {
  const a = Float64Array.from(randomMatrix(n, n, seed));
  return a.map((_, i) => a[i] + a[(i % n) * n + Math.floor(i / n)]);
}

// A Gram XᵀX of a rows×n matrix of rank r < n: n − r eigenvalues are zero up to rounding.
function lowRankGram(rows: number, n: number, r: number, seed: number): Float64Array {
  const u = randomMatrix(rows, r, seed);
  const v = randomMatrix(r, n, seed + 1);
  const x = new Float64Array(rows * n);
  for (let i = 0; i < rows; i++) for (let k = 0; k < r; k++) for (let j = 0; j < n; j++) x[i * n + j] += u[i * r + k] * v[k * n + j];
  const g = new Float64Array(n * n);
  for (let i = 0; i < rows; i++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) g[a * n + b] += x[i * n + a] * x[i * n + b];
  return g;
}

// Both are backward-stable f64 reductions of the same matrix: each eigenvalue is off by at most
// a small multiple of n·ε·‖A‖ (Weyl), so they agree within 1e-12·max|λ| for n ≤ 128
// (128 · 2.2e-16 ≈ 3e-14, with a margin of ~30 for the constants).
function expectAgree(a: Float64Array, n: number): void {
  const fast = native().symmetricEigenvalues(a, n)!;
  const reference = symmetricEigenvalues(a, n);
  expect(fast).toHaveLength(n);
  const scale = Math.max(...reference.map(Math.abs));
  fast.forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThanOrEqual(1e-12 * scale));
}

describe('native symmetricEigenvalues', () => {
  afterEach(() => setDeterministic(false));

  it.skipIf(!hasLapack)('matches the TS reference on random symmetric matrices, in descending order', () => {
    for (const n of [1, 2, 7, 64, 128]) {
      const a = symmetric(n, 10 + n);
      expectAgree(a, n);
      const w = native().symmetricEigenvalues(a, n)!;
      for (let i = 1; i < n; i++) expect(w[i]).toBeLessThanOrEqual(w[i - 1]);
    }
  });

  it.skipIf(!hasLapack)('matches the TS reference on a rank-deficient Gram, zero eigenvalues included', () => {
    expectAgree(lowRankGram(200, 64, 5, 3), 64);
  });

  it.skipIf(!hasLapack)('leaves its input matrix unchanged', () => {
    const a = symmetric(9, 4);
    const copy = Float64Array.from(a);
    native().symmetricEigenvalues(a, 9);
    expect(a).toEqual(copy);
  });

  it('answers null in deterministic mode, leaving the TS reduction to the caller', () => {
    setDeterministic(true);
    expect(native().symmetricEigenvalues(symmetric(4, 1), 4)).toBeNull();
  });

  it('rejects a matrix that is not a Float64Array or not n×n, naming the function', () => {
    const bind = native();
    expectThrows(
      () => bind.symmetricEigenvalues([1, 2, 3, 4] as unknown as Float64Array, 2),
      TypeError,
      'symmetricEigenvalues: argument matrix must be a Float64Array',
    );
    expectFathom(() => bind.symmetricEigenvalues(new Float64Array(3), 2), 'SHAPE', 'symmetricEigenvalues: matrix has 3 values, expected 2x2');
    expectFathom(() => bind.symmetricEigenvalues(new Float64Array(4), -1), 'RANGE', 'symmetricEigenvalues: n must be a non-negative integer');
  });
});
