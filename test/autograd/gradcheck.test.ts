import { describe, expect, it } from 'vitest';

import { Rng } from '../../lib/random/rng.js';
import { add, axpby, mul, scale, sub } from '../../lib/functional/arithmetic.js';
import { biasAdd } from '../../lib/functional/biasAdd.js';
import { dropout } from '../../lib/functional/dropout.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { matmul } from '../../lib/functional/matmul.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { propagate } from '../../lib/functional/propagate.js';
import { mean, sum } from '../../lib/functional/reduce.js';
import { relu } from '../../lib/functional/relu.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GCNConv } from '../../lib/nn/GCNConv.js';
import { Linear } from '../../lib/nn/Linear.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// docs/methods.md §5: every op's backward matches central finite differences in float64 with
// relative error below 1e-6. With h = 1e-6 the truncation error is O(h²) ≈ 1e-12 and the
// rounding error O(ε/h) ≈ 1e-10, so 1e-6 leaves a wide margin for a correct backward.
const TOL = 1e-6;

describe('backward of every op matches central finite differences in float64', () => {
  const rng = new Rng(2024);

  it.each([
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ])('matmul with transA=%s transB=%s', (transA, transB) => {
    const [m, k, n] = [4, 5, 3];
    const a = randomInput(rng, transA ? [k, m] : [m, k]);
    const b = randomInput(rng, transB ? [n, k] : [k, n]);
    const errs = gradcheck(([x, y]) => matmul(x, y, { transA, transB }), [a, b]);
    for (const e of errs) expect(e).toBeLessThan(TOL);
  });

  it('add, sub, axpby, scale and mul', () => {
    const x = randomInput(rng, [3, 4]);
    const y = randomInput(rng, [3, 4]);
    for (const f of [
      ([a, b]: Tensor[]) => add(a, b),
      ([a, b]: Tensor[]) => sub(a, b),
      ([a, b]: Tensor[]) => axpby(0.7, a, -1.3, b),
      ([a, b]: Tensor[]) => mul(a, b),
      ([a, b]: Tensor[]) => add(scale(a, 2.5), b),
    ]) {
      for (const e of gradcheck(f, [x, y])) expect(e).toBeLessThan(TOL);
    }
  });

  it('an input used twice accumulates both gradients (x ⊙ x + x)', () => {
    const x = randomInput(rng, [2, 5]);
    const [e] = gradcheck(([a]) => add(mul(a, a), a), [x]);
    expect(e).toBeLessThan(TOL);
  });

  it('a gradient shared by both inputs of add survives when the first input already has one ((a + b) + a)', () => {
    // scale() makes the shared gradient an intermediate (the seed itself is never released).
    const errs = gradcheck(([a, b]) => scale(add(add(a, b), a), 1.5), [randomInput(rng, [3, 2]), randomInput(rng, [3, 2])]);
    for (const e of errs) expect(e).toBeLessThan(TOL);
  });

  it('biasAdd for both the input and the bias', () => {
    const errs = gradcheck(([x, b]) => biasAdd(x, b), [randomInput(rng, [4, 3]), randomInput(rng, [3])]);
    for (const e of errs) expect(e).toBeLessThan(TOL);
  });

  it('relu away from its kink', () => {
    const [e] = gradcheck(([x]) => relu(x), [randomInput(rng, [5, 4])]);
    expect(e).toBeLessThan(TOL);
  });

  it('dropout with a fixed seed (the mask is a function of the seed)', () => {
    const [e] = gradcheck(([x]) => dropout(x, 0.4, { seed: 99 }), [randomInput(rng, [6, 5])]);
    expect(e).toBeLessThan(TOL);
  });

  it('logSoftmax', () => {
    const [e] = gradcheck(([x]) => logSoftmax(x), [randomInput(rng, [4, 6], 0.1, 3)]);
    expect(e).toBeLessThan(TOL);
  });

  it('nllLoss over a mask, composed with logSoftmax', () => {
    using labels = Tensor.from(new Int32Array([0, 2, 1, 2, 0]), [5]);
    using mask = Tensor.from(new Uint8Array([1, 0, 1, 1, 0]), [5]);
    const [e] = gradcheck(([x]) => nllLoss(logSoftmax(x), labels, mask), [randomInput(rng, [5, 3])]);
    expect(e).toBeLessThan(TOL);
    const [e2] = gradcheck(([x]) => nllLoss(x, labels), [randomInput(rng, [5, 3])]);
    expect(e2).toBeLessThan(TOL);
  });

  it('sum and mean', () => {
    const x = randomInput(rng, [3, 7]);
    expect(gradcheck(([a]) => sum(a), [x])[0]).toBeLessThan(TOL);
    expect(gradcheck(([a]) => mean(a), [x])[0]).toBeLessThan(TOL);
  });

  it.each(['gcn', 'mean', 'sum'] as const)('propagate with the %s operator, plain and residual (t = 0.3)', (kind) => {
    const n = 9;
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(n, 20, 5), { numNodes: n });
    const op = graph.operator(kind, { dtype: 'f64' });
    const x = randomInput(rng, [n, 3]);
    expect(gradcheck(([h]) => propagate(op, h), [x])[0]).toBeLessThan(TOL);
    expect(gradcheck(([h]) => propagate(op, h, { alpha: 0.3, selfScale: 0.7 }), [x])[0]).toBeLessThan(TOL);
  });

  it('a GCNConv layer, wide-to-narrow and narrow-to-wide, through its input', () => {
    const n = 8;
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(n, 16, 6), { numNodes: n });
    for (const [fin, fout] of [
      [5, 3],
      [3, 5],
    ]) {
      using conv = new GCNConv(fin, fout, { dtype: 'f64', seed: 3, t: 0.6 });
      const [e] = gradcheck(([x]) => conv.forward(x, graph), [randomInput(rng, [n, fin])]);
      expect(e).toBeLessThan(TOL);
    }
  });

  it('a Linear layer through its input', () => {
    using lin = new Linear(4, 3, { dtype: 'f64', seed: 1 });
    const [e] = gradcheck(([x]) => relu(lin.forward(x)), [randomInput(rng, [5, 4])]);
    expect(e).toBeLessThan(TOL);
  });
});

describe('the finite-difference checker', () => {
  it('flags a backward that is wrong by a factor of 2', async () => {
    const { record } = await import('../../lib/autograd/record.js');
    const wrongDouble = (x: Tensor) => record(scale(x, 1), 'wrong', [x], (g) => [scale(g, 2)]);
    const [e] = gradcheck(([x]) => wrongDouble(x), [randomInput(new Rng(3), [3, 3])]);
    expect(e).toBeGreaterThan(0.1);
  });
});
