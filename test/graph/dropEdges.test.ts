import { describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { propagate } from '../../lib/functional/propagate.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { denseOperator, randomEdgeIndex } from '../helpers/randomGraph.js';

const N = 40;

/** A · x for a dense [n, n] matrix in float64. */
function denseTimes(a: Float64Array, x: Float64Array, n: number, f: number): Float64Array {
  const y = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let c = 0; c < f; c++) y[i * f + c] += a[i * n + j] * x[j * f + c];
  return y;
}

describe('Graph.dropEdges', () => {
  it('keeps each edge when the seeded draw in edge-list order is ≥ p, and its operators are those of the kept edges', () => {
    const edges = randomEdgeIndex(N, 200, 3);
    const e = edges.length / 2;
    // Shuffled edge order: the draws follow the order the edges were given, not the CSR's.
    const order = Array.from({ length: e }, (_, k) => k).sort((a, b) => ((a * 7919) % e) - ((b * 7919) % e));
    const shuffled = Int32Array.from([...order.map((k) => edges[k]), ...order.map((k) => edges[e + k])]);
    using graph = Graph.fromEdgeIndex(shuffled, { numNodes: N });
    const rng = new Rng(11);
    const keep = order.map(() => rng.nextFloat() >= 0.3);
    const kept = Int32Array.from([...shuffled.subarray(0, e).filter((_, k) => keep[k]), ...shuffled.subarray(e).filter((_, k) => keep[k])]);
    using sub = graph.dropEdges(0.3, 11);
    expect(sub.numEdges).toBe(kept.length / 2);
    expect(sub.numEdges).toBeGreaterThan(0.55 * e);
    expect(sub.numEdges).toBeLessThan(0.85 * e);
    expect(sub.numNodes).toBe(N);
    const x = Float64Array.from({ length: N * 3 }, (_, k) => Math.sin(k));
    const got = tidy(() => propagate(sub.operator('sum', { dtype: 'f64' }), Tensor.from(x, [N, 3])).toArray());
    expect(Array.from(got)).toEqual(Array.from(denseTimes(denseOperator(kept, N, 'sum'), x, N, 3)));
  });

  it('gives the same subgraph for the same seed, another for another seed, and every edge at p = 0', () => {
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 200, 4), { numNodes: N });
    const x = Tensor.from(
      Float64Array.from({ length: N }, (_, k) => k + 1),
      [N, 1],
    );
    const sums = (g: Graph) => Array.from(tidy(() => propagate(g.operator('sum', { dtype: 'f64' }), x).toArray()));
    using a = graph.dropEdges(0.5, 1);
    using b = graph.dropEdges(0.5, 1);
    using c = graph.dropEdges(0.5, 2);
    using all = graph.dropEdges(0, 9);
    expect(sums(a)).toEqual(sums(b));
    expect(sums(a)).not.toEqual(sums(c));
    expect(all.numEdges).toBe(graph.numEdges);
    expect(sums(all)).toEqual(sums(graph));
    x.dispose();
  });

  it('rejects p outside [0, 1) and a non-integer seed', () => {
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 20, 5), { numNodes: N });
    expect(() => graph.dropEdges(1, 0)).toThrow(/Graph.dropEdges: p must be in \[0, 1\), got 1/);
    expect(() => graph.dropEdges(-0.1, 0)).toThrow(/Graph.dropEdges: p must be in/);
    expect(() => graph.dropEdges(0.1, 0.5)).toThrow(/Graph.dropEdges: seed must be an integer, got 0.5/);
  });
});
