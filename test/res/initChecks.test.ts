import { describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { featureStats } from '../../lib/diagnostics/featureStats.js';
import { matmul } from '../../lib/functional/matmul.js';
import { propagate } from '../../lib/functional/propagate.js';
import { relu } from '../../lib/functional/relu.js';
import { Graph } from '../../lib/graph/Graph.js';
import { fixupScale } from '../../lib/init/fixup.js';
import { gnnHe } from '../../lib/init/gnnHe.js';
import { ResidualBlock } from '../../lib/nn/ResidualBlock.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// A random graph big enough for feature statistics to average over nodes, with self loops from
// the gcn operator; f64 so rounding plays no part.
const N = 300;
const H = 64;
const graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 1500, 77), { numNodes: N });

function randomFeatures(seed: number, f: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(
    Float64Array.from({ length: N * f }, () => rng.normal()),
    [N, f],
  );
}

/** Feature scale M_l of Z^1..Z^L of a plain ReLU GCN (t = 1) under gnn-he with constant cW. */
function plainScales(depth: number, cW: number): number[] {
  const rng = new Rng(5);
  return noGrad(() =>
    tidy(() => {
      const op = graph.operator('gcn', { dtype: 'f64' });
      const w = (first: boolean) => Tensor.from(gnnHe(H, H, rng, { cW, first }), [H, H]);
      let z = propagate(op, matmul(randomFeatures(1, H), w(true), { transB: true }));
      const scales = [featureStats(z).scale];
      for (let l = 1; l < depth; l++) {
        z = propagate(op, matmul(relu(z), w(false), { transB: true }));
        scales.push(featureStats(z).scale);
      }
      return scales;
    }),
  );
}

describe('gnn-he initialization (docs/methods.md §5)', () => {
  it('keeps the feature scale of a 64-layer plain ReLU GCN within [0.1, 10]× layer 1 at C_W = 2', () => {
    const m = plainScales(64, 2);
    for (const v of m) {
      expect(v / m[0]).toBeGreaterThan(0.1);
      expect(v / m[0]).toBeLessThan(10);
    }
  });

  it('lets the feature scale blow up with C_W = 4 (each layer roughly doubles it)', () => {
    const m = plainScales(64, 4);
    expect(m[63] / m[0]).toBeGreaterThan(1e6);
  });

  it('draws weights with variance C/fan_in: C = 1 for the first layer, C_W after', () => {
    const rng = new Rng(9);
    const variance = (w: Float64Array) => w.reduce((a, v) => a + v * v, 0) / w.length;
    // 256·256 draws: the sample variance has relative standard error √(2/65536) ≈ 0.55%; 3% is > 5σ.
    expect(variance(gnnHe(256, 256, rng, { first: true })) * 256).toBeCloseTo(1, 1);
    expect(Math.abs(variance(gnnHe(256, 256, rng, { cW: 2 })) * 128 - 1)).toBeLessThan(0.03);
  });
});

describe('fixup residual stacks (docs/methods.md §5)', () => {
  /** Final-layer feature scale and mean cosine of a fixup stack of depth L at init. */
  function finalStats(depth: number): { scale: number; meanCosine: number } {
    const rng = new Rng(31);
    return noGrad(() =>
      tidy(() => {
        let z = randomFeatures(2, H);
        for (let l = 0; l < depth; l++) {
          using block = new ResidualBlock(H, { kind: 'fixup', weight: gnnHe(H, H, rng), branchScale: fixupScale(depth), dtype: 'f64' });
          z = block.forward(z, graph);
        }
        const s = featureStats(z);
        return { scale: s.scale, meanCosine: s.meanCosine };
      }),
    );
  }

  it('has final-layer scale and mean cosine roughly independent of depth for L = 16, 64, 256', () => {
    const stats = [16, 64, 256].map(finalStats);
    // "Roughly independent": with β_L = 1/√L the summed branch variance is O(1) for every L, and
    // the finite-width, finite-graph fluctuations of one draw are tens of percent, so we allow a
    // factor 2 in scale and 0.15 in mean cosine across L. Without the 1/√L scaling the scale at
    // L = 64 is > 10× that at L = 16 (checked below), so the tolerance still separates the cases.
    const scales = stats.map((s) => s.scale);
    expect(Math.max(...scales) / Math.min(...scales)).toBeLessThan(2);
    const cos = stats.map((s) => s.meanCosine);
    expect(Math.max(...cos) - Math.min(...cos)).toBeLessThan(0.15);
  });

  it('without the 1/√L branch scale grows the final scale with depth', () => {
    const rng = new Rng(31);
    const scaleAt = (depth: number) =>
      noGrad(() =>
        tidy(() => {
          let z = randomFeatures(2, H);
          for (let l = 0; l < depth; l++) {
            using block = new ResidualBlock(H, { kind: 'fixup', weight: gnnHe(H, H, rng), branchScale: 1, dtype: 'f64' });
            z = block.forward(z, graph);
          }
          return featureStats(z).scale;
        }),
      );
    expect(scaleAt(64) / scaleAt(16)).toBeGreaterThan(10);
  });
});
