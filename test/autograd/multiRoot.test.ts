// backward(roots, seeds): the vector-Jacobian product of several outputs in one pass must equal
// the gradient of the scalar Σᵢ sum(rootᵢ ⊙ seedᵢ), its definition, computed in float64 through
// the single-root path; roots that feed each other (one root an input of another) included.
import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { add, mul } from '../../lib/functional/arithmetic.js';
import { matmul } from '../../lib/functional/matmul.js';
import { sum } from '../../lib/functional/reduce.js';
import { relu } from '../../lib/functional/relu.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';

function leaf(rng: Rng, shape: number[]): Tensor {
  const t = Tensor.from(rng.fillNormal(new Float64Array(shape.reduce((a, b) => a * b, 1))), shape);
  t.requiresGrad = true;
  return t;
}

// Two outputs where the second reads the first, as a reversible block's groups do.
function outputs(x: Tensor, w: Tensor): [Tensor, Tensor] {
  const a = relu(matmul(x, w));
  return [a, add(a, matmul(a, w))];
}

describe('backward with several roots', () => {
  it('gives the gradients of Σ sum(rootᵢ ⊙ seedᵢ), also when one root feeds another', () => {
    const rng = new Rng(31);
    using x = leaf(rng, [5, 3]);
    using w = leaf(rng, [3, 3]);
    using g0 = Tensor.from(rng.fillNormal(new Float64Array(15)), [5, 3]);
    using g1 = Tensor.from(rng.fillNormal(new Float64Array(15)), [5, 3]);
    tidy(() => backward(outputs(x, w), [g0, g1]));
    const gx = Array.from(x.grad!.toArray());
    const gw = Array.from(w.grad!.toArray());
    x.grad!.dispose();
    x.grad = null;
    w.grad!.dispose();
    w.grad = null;
    tidy(() => {
      const [a, b] = outputs(x, w);
      backward(add(sum(mul(a, g0)), sum(mul(b, g1))));
    });
    const close = (got: number[], want: number[]) =>
      got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want[i]!))));
    close(gx, Array.from(x.grad!.toArray()));
    close(gw, Array.from(w.grad!.toArray()));
  });

  it('leaves the caller its seeds and refuses mismatched roots and seeds', () => {
    const rng = new Rng(4);
    using x = leaf(rng, [2, 2]);
    using w = leaf(rng, [2, 2]);
    using g = Tensor.full([2, 2], 1, { dtype: 'f64' });
    tidy(() => backward(outputs(x, w), [g, g]));
    expect(g.disposed).toBe(false);
    expect(() => tidy(() => backward(outputs(x, w), [g]))).toThrow(/2 roots but 1 seeds/);
    expect(() => tidy(() => backward(outputs(x, w)))).toThrow(/root 0 .* is not a scalar; pass the seed gradient/);
    expect(() => tidy(() => backward([]))).toThrow(/no roots/);
    expect(() =>
      tidy(() => {
        const [a] = outputs(x, w);
        backward([a, a], [g, g]);
      }),
    ).toThrow(/a root is given twice/);
  });
});
