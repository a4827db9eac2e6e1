import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { add, mul } from '../../lib/functional/arithmetic.js';
import { sum } from '../../lib/functional/reduce.js';
import { Graph } from '../../lib/graph/Graph.js';
import { gnnHe } from '../../lib/init/gnnHe.js';
import { ResidualBlock } from '../../lib/nn/ResidualBlock.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// The gradient-expansion diagnostic behind lipschitz's default mode (docs/results-res.md):
// ‖∂L/∂Z^l‖ across a 64-block stack of unscaled residual branches (res+ form, β = 1) at init.
const N = 200;
const H = 16;
const L = 64;
const graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 800, 12), { numNodes: N });

/** ‖∂L/∂Z^1‖ / ‖∂L/∂Z^L‖ for L = Σ Z^L ⊙ R, with branch spectral norm c (null: unnormalized). */
function expansion(c: number | null): number {
  const rng = new Rng(3);
  const blocks = Array.from(
    { length: L },
    () => new ResidualBlock(H, { kind: 'res+', weight: gnnHe(H, H, rng), dtype: 'f64', lipschitz: c === null ? null : { c, rng } }),
  );
  try {
    return tidy(() => {
      let z = Tensor.from(
        Float64Array.from({ length: N * H }, () => rng.normal()),
        [N, H],
      );
      const probes: Tensor[] = [];
      for (const b of blocks) {
        const p = Tensor.zeros([N, H], { dtype: 'f64' });
        p.requiresGrad = true;
        probes.push(p);
        z = add(b.forward(z, graph), p);
      }
      backward(
        sum(
          mul(
            z,
            Tensor.from(
              Float64Array.from({ length: N * H }, () => rng.normal()),
              [N, H],
            ),
          ),
        ),
      );
      const norm = (t: Tensor) => Math.sqrt(Array.from(t.grad!.toArray()).reduce((a, v) => a + v * v, 0));
      return norm(probes[0]) / norm(probes[L - 1]);
    });
  } finally {
    for (const b of blocks) b.dispose();
  }
}

describe('lipschitz normalization against gradient expansion', () => {
  it('with target c/L keeps the gradient norm flat across 64 unscaled residual blocks, while c lets it expand', () => {
    const none = expansion(null);
    const perBlock = expansion(1);
    const depthScaled = expansion(1 / L);
    // Measured here: 1.0 with c/L, 4.7 with c, 3.7e8 unnormalized. Π(1 + c/L) ≤ e bounds the
    // first; with c only 2^64 bounds it, and it grows with depth (27× at 64 blocks, 4e6× at 256 on
    // Cora). The thresholds sit well between the measured values.
    expect(depthScaled).toBeLessThan(1.5);
    expect(perBlock).toBeGreaterThan(3);
    expect(none).toBeGreaterThan(1e3 * perBlock);
  }, 300_000);
});
