import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { retainGrad } from '../../lib/autograd/retainGrad.js';
import { tidy } from '../../lib/autograd/scope.js';
import { sbmGraph } from '../../lib/data/sbmGraph.js';
import { diagnoseModel } from '../../lib/diagnostics/diagnoseModel.js';
import { logSoftmax } from '../../lib/functional/logSoftmax.js';
import { matmul } from '../../lib/functional/matmul.js';
import { mul } from '../../lib/functional/arithmetic.js';
import { sum } from '../../lib/functional/reduce.js';
import { nllLoss } from '../../lib/functional/nllLoss.js';
import { relu } from '../../lib/functional/relu.js';
import { GCN } from '../../lib/models/GCN.js';
import { Parameter } from '../../lib/nn/Parameter.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { NodeData } from '../../lib/data/NodeData.js';
import { denseOperator } from '../helpers/randomGraph.js';
import { referenceStats } from './reference.js';

const SBM = { numNodes: 24, numEdges: 80, numFeatures: 4, numClasses: 3, homophily: 0.8, seed: 2 };

describe('retainGrad', () => {
  it('keeps ∂L/∂Z of an intermediate tensor: for L = Σ relu(XW)², ∂L/∂(XW) = 2·relu(XW)', () => {
    tidy(() => {
      const x = Tensor.from(new Float64Array([1, -2, 0.5, 3, -1, 2]), [3, 2]);
      const w = Parameter.fromValues([0.3, -0.7, 1.1, 0.2], [2, 2], { dtype: 'f64' });
      const z = retainGrad(matmul(x, w));
      const h = relu(z);
      backward(sum(mul(h, h)));
      const hv = h.toArray();
      expect(Array.from(z.grad!.toArray())).toEqual(Array.from(hv, (v) => 2 * v));
      // Leaves are unaffected: w.grad = Xᵀ(2h).
      expect(w.grad).not.toBeNull();
      w.dispose();
    });
  });

  it('frees the retained gradient with its tensor', () => {
    const w = Parameter.fromValues([1, 2], [2], { dtype: 'f64' });
    const z = tidy(() => {
      const t = retainGrad(mul(w, w));
      backward(sum(t));
      return t;
    });
    const g = z.grad!;
    z.dispose();
    expect(g.disposed).toBe(true);
    w.dispose();
  });

  it('rejects what is not a live tensor naming the function', () => {
    expect(() => retainGrad(null as never)).toThrow(/retainGrad: argument t must be a Tensor/);
  });
});

describe('gradient diagnostics of a two-layer GCN (float64, no dropout)', () => {
  const ds = sbmGraph(SBM);
  const n = ds.numNodes;
  const p = denseOperator(ds.edgeIndex, n, 'gcn');
  const train = Array.from(ds.trainMask, (m, i) => (m ? i : -1)).filter((i) => i >= 0);

  function lossOf(model: GCN, data: NodeData): number {
    return noGrad(() => tidy(() => nllLoss(logSoftmax(model.forward(data.x, data.graph)), data.y, data.trainMask).item()));
  }

  it('match the hand-derived ∂L/∂Z of both layers and finite differences of ‖∂L/∂W‖', () => {
    using data = NodeData.from(ds, { dtype: 'f64' });
    using model = new GCN({ inChannels: 4, hiddenChannels: 5, outChannels: 3, dropout: 0, seed: 1, dtype: 'f64' });
    model.eval();
    const rows = diagnoseModel(model, data, { metrics: ['gradFeatureNorm', 'gradFeatureMu', 'gradFeatureMuNormalized', 'gradWeightNorm'] });
    const [z0, z1] = noGrad(() => tidy(() => model.forwardFeatures(data.x, data.graph).features.map((t) => Float64Array.from(t.toArray()))));
    // G1 = ∂L/∂logits: (softmax − onehot)/|train| on the training rows, 0 elsewhere.
    const c = 3;
    const g1 = new Float64Array(n * c);
    for (const i of train) {
      const row = z1.subarray(i * c, (i + 1) * c);
      const mx = Math.max(...row);
      const e = row.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < c; k++) g1[i * c + k] = (e[k] / s - (k === ds.y[i] ? 1 : 0)) / train.length;
    }
    // Z1 = P relu(Z0) W1ᵀ + b, so ∂L/∂Z0 = (Pᵀ G1 W1) ⊙ [Z0 > 0].
    const h = 5;
    const w1 = Float64Array.from(model.layers[1].weight.toArray());
    const g0 = new Float64Array(n * h);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < h; j++) {
        if (!(z0[i * h + j] > 0)) continue;
        let acc = 0;
        for (let r = 0; r < n; r++) for (let k = 0; k < c; k++) acc += p[r * n + i] * g1[r * c + k] * w1[k * h + j];
        g0[i * h + j] = acc;
      }
    }
    for (const [layer, g, width] of [
      [0, g0, h],
      [1, g1, c],
    ] as const) {
      const ref = referenceStats(g, n, width);
      expect(rows[layer].gradFeatureNorm).toBeCloseTo(ref.norm, 12);
      expect(rows[layer].gradFeatureMu).toBeCloseTo(ref.mu, 12);
      expect(rows[layer].gradFeatureMuNormalized).toBeCloseTo(ref.muNormalized, 10);
    }
    // ‖∂L/∂θ^l‖ by central differences over every parameter of the layer.
    const eps = 1e-6;
    model.layerParameters().forEach((params, layer) => {
      let sq = 0;
      for (const param of params) {
        const v = Float64Array.from(param.toArray());
        for (let k = 0; k < v.length; k++) {
          const at = (delta: number) => {
            const u = v.slice();
            u[k] += delta;
            tidy(() => param.assign(Tensor.from(u, [...param.shape])));
            return lossOf(model, data);
          };
          const d = (at(eps) - at(-eps)) / (2 * eps);
          sq += d * d;
        }
        tidy(() => param.assign(Tensor.from(v, [...param.shape])));
      }
      expect(Math.abs(rows[layer].gradWeightNorm! - Math.sqrt(sq))).toBeLessThan(1e-7 * Math.sqrt(sq));
    });
  });
});
