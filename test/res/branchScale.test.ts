import { describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { gcnBranch } from '../../lib/functional/gcnBranch.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';

// docs/methods.md §5: f64 backward vs central finite differences, relative error < 1e-6.
const TOL = 1e-6;

/** c·P_t(ReLU(z) Wᵀ) in plain f64, P_t = (1−t)I + tP with P the dense GCN operator. */
function branchReference(z: Float64Array, w: Float64Array, p: Float64Array, n: number, f: number, t: number, c: number): Float64Array {
  const h = z.map((v) => Math.max(v, 0));
  const hw = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let o = 0; o < f; o++) for (let k = 0; k < f; k++) hw[i * f + o] += h[i * f + k] * w[o * f + k];
  const out = new Float64Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < f; o++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += p[i * n + j] * hw[j * f + o];
      out[i * f + o] = c * (t * s + (1 - t) * hw[i * f + o]);
    }
  }
  return out;
}

describe('gcnBranch with a scale', () => {
  const n = 9;
  const f = 4;
  const edgeIndex = randomEdgeIndex(n, 20, 5);
  const p = denseOperator(edgeIndex, n, 'gcn');

  it.each([
    [1, 0.25],
    [0.6, -1.5],
  ])('with t = %s and scale %s equals c·P_t(ReLU(z)Wᵀ) and its backward matches finite differences', (t, c) => {
    const rng = new Rng(3);
    const z = randomInput(rng, [n, f], -1, 1);
    const w = randomInput(rng, [f, f], -1, 1);
    using graph = Graph.fromEdgeIndex(edgeIndex, { numNodes: n });
    const op = graph.operator('gcn', { dtype: 'f64' });
    const ref = branchReference(z.values, w.values, p, n, f, t, c);
    const got = tidy(() => gcnBranch(Tensor.from(z.values, z.shape), Tensor.from(w.values, w.shape), op, { t, scale: c }).toArray());
    for (let k = 0; k < ref.length; k++) expect(got[k]).toBeCloseTo(ref[k], 12);
    const errs = gradcheck(([zz, ww]) => gcnBranch(zz, ww, op, { t, scale: c }), [z, w]);
    for (const e of errs) expect(e).toBeLessThan(TOL);
  });
});
