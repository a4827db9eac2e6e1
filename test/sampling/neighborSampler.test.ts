import { afterEach, describe, expect, it } from 'vitest';

import { native } from '../../lib/binding/native.js';
import { Graph } from '../../lib/graph/Graph.js';
import { devices } from '../../lib/runtime/devices.js';
import { NeighborSampler } from '../../lib/sampling/NeighborSampler.js';
import type { SampledBatch } from '../../lib/sampling/SampledBatch.js';
import { expectFathom, expectThrows } from '../helpers/apiFixtures.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

const THREADS = devices().cpu.threads;
afterEach(() => native().setNumThreads(THREADS));

/** In-neighbours of every node, from a flat edge index. */
function inNeighbours(edges: Int32Array, n: number): number[][] {
  const E = edges.length / 2;
  const out = Array.from({ length: n }, () => [] as number[]);
  for (let e = 0; e < E; e++) out[edges[E + e]].push(edges[e]);
  return out;
}

/** Global (source, target) pairs of a batch's sampling hop k. */
function hopPairs(b: SampledBatch, k: number): [number, number][] {
  const h = b.hopEdges[k];
  const E = h.length / 2;
  return Array.from({ length: E }, (_, e) => [b.nodeIds[h[e]], b.nodeIds[h[E + e]]]);
}

/** A star: node 0 has in-neighbours 1 … d (edges j → 0), and every leaf j has in-neighbour 0. */
function star(d: number): Graph {
  const src: number[] = [];
  const dst: number[] = [];
  for (let j = 1; j <= d; j++) {
    src.push(j, 0);
    dst.push(0, j);
  }
  return Graph.fromEdgeIndex([src, dst], { numNodes: d + 1 });
}

describe('NeighborSampler', () => {
  it('grows a hand-counted batch hop by hop: seeds first, new nodes in order of discovery, local edge ids', () => {
    // Edges j → i: 1→0, 2→0, 3→1, 0→1, 4→3, 2→4.
    using graph = Graph.fromEdgeIndex(
      [
        [1, 2, 3, 0, 4, 2],
        [0, 0, 1, 1, 3, 4],
      ],
      { numNodes: 5 },
    );
    using sampler = new NeighborSampler(graph, { fanouts: [-1, -1] });
    using b = sampler.sample([0]);
    // Hop 1: 0 draws 1, 2. Hop 2: 1 draws 3 and 0 (seen), 2 has no in-neighbour.
    expect([...b.nodeIds]).toEqual([0, 1, 2, 3]);
    expect(b.numSampledNodes).toEqual([1, 2, 1]);
    expect([...b.hopEdges[0]]).toEqual([1, 2, 0, 0]);
    expect([...b.hopEdges[1]]).toEqual([3, 0, 1, 1]);
    // Layer 0 runs on hops 1–2 (targets 0, 1, 2 of sources 0 … 3); layer 1 on hop 1 (target 0).
    const [b0, b1] = b.blocks;
    expect([b0.numSources, b0.numTargets, b0.numEdges]).toEqual([4, 3, 4]);
    expect([...b0.edgeIndex]).toEqual([1, 2, 3, 0, 0, 0, 1, 1]);
    expect([b1.numSources, b1.numTargets, b1.numEdges]).toEqual([3, 1, 2]);
  });

  it.each([false, true])('draws only real in-neighbours, and without replacement min(fanout, degree) distinct ones (replace %s)', (replace) => {
    const n = 200;
    const edges = randomEdgeIndex(n, 2000, 11);
    const nbrs = inNeighbours(edges, n);
    using graph = Graph.fromEdgeIndex(edges, { numNodes: n });
    using sampler = new NeighborSampler(graph, { fanouts: [4, 3], replace });
    using b = sampler.sample(Int32Array.from([5, 17, 42, 99]), { seed: 3, batch: 1 });
    expect(new Set(b.nodeIds).size).toBe(b.nodeIds.length);
    for (let k = 0; k < 2; k++) {
      const byTarget = new Map<number, number[]>();
      for (const [s, t] of hopPairs(b, k)) {
        expect(nbrs[t]).toContain(s);
        byTarget.set(t, [...(byTarget.get(t) ?? []), s]);
      }
      const start = b.numSampledNodes.slice(0, k).reduce((a, c) => a + c, 0);
      const hop = b.nodeIds.slice(start, start + b.numSampledNodes[k]);
      for (const v of hop) {
        const got = byTarget.get(v) ?? [];
        const deg = nbrs[v].length;
        const fanout = [4, 3][k];
        expect(got.length).toBe(deg === 0 ? 0 : replace ? fanout : Math.min(fanout, deg));
        if (!replace) expect(new Set(got).size).toBe(got.length);
      }
    }
  });

  it('includes each neighbour without replacement with frequency fanout/degree, within 3σ', () => {
    const d = 10;
    const f = 3;
    const R = 4000;
    using graph = star(d);
    using sampler = new NeighborSampler(graph, { fanouts: [f] });
    const counts = new Array<number>(d + 1).fill(0);
    for (let r = 0; r < R; r++) {
      using b = sampler.sample([0], { seed: 7, batch: r });
      for (const [s] of hopPairs(b, 0)) counts[s] += 1;
    }
    const p = f / d;
    const sigma = Math.sqrt(R * p * (1 - p));
    for (let j = 1; j <= d; j++) expect(Math.abs(counts[j] - R * p), `neighbour ${j}`).toBeLessThan(3 * sigma);
  });

  it('draws with replacement: each neighbour’s count per node follows Binomial(fanout, 1/degree)', () => {
    const d = 5;
    const f = 4;
    const R = 4000;
    using graph = star(d);
    using sampler = new NeighborSampler(graph, { fanouts: [f], replace: true });
    // hist[m]: draws in which neighbour 1 came up m times.
    const hist = new Array<number>(f + 1).fill(0);
    const totals = new Array<number>(d + 1).fill(0);
    for (let r = 0; r < R; r++) {
      using b = sampler.sample([0], { seed: 9, batch: r });
      const pairs = hopPairs(b, 0);
      expect(pairs.length).toBe(f);
      for (const [s] of pairs) totals[s] += 1;
      hist[pairs.filter(([s]) => s === 1).length] += 1;
    }
    const q = 1 / d;
    const choose = (n: number, k: number): number => (k === 0 ? 1 : (n * choose(n - 1, k - 1)) / k);
    for (let m = 0; m <= f; m++) {
      const pm = choose(f, m) * q ** m * (1 - q) ** (f - m);
      expect(Math.abs(hist[m] - R * pm), `${m} repeats`).toBeLessThan(3 * Math.sqrt(R * pm * (1 - pm)) + 1);
    }
    for (let j = 1; j <= d; j++) expect(Math.abs(totals[j] - R * f * q)).toBeLessThan(3 * Math.sqrt(R * f * q * (1 - q)));
  });

  it('gives the same batch for a seed whatever the thread count, on this thread or a worker', async () => {
    const n = 3000;
    using graph = Graph.fromEdgeIndex(randomEdgeIndex(n, 40000, 2), { numNodes: n });
    const seeds = Int32Array.from({ length: 800 }, (_, i) => (i * 37) % n);
    const runs: SampledBatch[] = [];
    for (const replace of [false, true]) {
      using sampler = new NeighborSampler(graph, { fanouts: [10, 5, -1], replace });
      for (const t of [1, 2, 4]) {
        native().setNumThreads(t);
        runs.push(sampler.sample(seeds, { seed: 5, batch: 3 }), await sampler.sampleAsync(seeds, { seed: 5, batch: 3 }));
      }
      const [first, ...rest] = runs.splice(0);
      for (const r of rest) {
        expect(r.nodeIds).toEqual(first.nodeIds);
        expect(r.numSampledNodes).toEqual(first.numSampledNodes);
        expect(r.hopEdges).toEqual(first.hopEdges);
      }
      // A different batch number draws differently (the key is not ignored).
      using other = sampler.sample(seeds, { seed: 5, batch: 4 });
      expect(other.hopEdges[0]).not.toEqual(first.hopEdges[0]);
    }
  });

  it('rejects bad fanouts, seeds and use after dispose, naming the argument and value', async () => {
    using graph = star(4);
    expectThrows(() => new NeighborSampler(graph, { fanouts: [] }), RangeError, 'NeighborSampler', 'fanouts', 'non-empty');
    expectThrows(() => new NeighborSampler(graph, { fanouts: [5, -2] }), RangeError, 'fanouts[1] = -2');
    expectThrows(() => new NeighborSampler(graph, { fanouts: [2.5] }), RangeError, 'fanouts[0] = 2.5');
    const sampler = new NeighborSampler(graph, { fanouts: [2] });
    expectFathom(() => sampler.sample([0, 9]), 'RANGE', 'NeighborSampler.sample: seeds[1] = 9', 'out of range for 5 nodes');
    expectFathom(() => sampler.sample([0, 1.5]), 'RANGE', 'seeds[1] = 1.5 is not an integer node id');
    expectFathom(() => sampler.sample(Int32Array.from([0, -1])), 'RANGE', 'seeds[1] = -1', 'out of range for 5 nodes');
    expectFathom(() => sampler.sample([3, 1, 3]), 'RANGE', 'seeds[2] = 3 repeats seeds[0]');
    expectFathom(() => sampler.sampleAsync([2, 2]), 'RANGE', 'NeighborSampler.sampleAsync: seeds[1] = 2 repeats seeds[0]');
    expectFathom(() => sampler.sample([0], { seed: -1 }), 'RANGE', 'seed = -1');
    sampler.dispose();
    sampler.dispose();
    expectThrows(() => sampler.sample([0]), TypeError, 'disposed');
  });

  it('checks the CSR it is handed: offsets, their end and every column', () => {
    const ok = Int32Array.from([0, 1, 2]);
    expectFathom(
      () => native().neighborSampler(Int32Array.from([0, 2, 1]), Int32Array.from([1, 0]), [1], false),
      'RANGE',
      'rowptr[2] = 1',
      'must not decrease',
    );
    expectFathom(() => native().neighborSampler(ok, Int32Array.from([1]), [1], false), 'RANGE', 'rowptr[2] = 2', 'length of col, 1');
    expectFathom(() => native().neighborSampler(ok, Int32Array.from([1, 2]), [1], false), 'RANGE', 'col[1] = 2', 'out of range for 2 nodes');
    expectFathom(() => native().neighborSampler(Int32Array.from([1, 1]), Int32Array.from([]), [1], false), 'RANGE', 'rowptr[0] = 1');
    expectFathom(() => native().neighborSampler(ok, Int32Array.from([1, 0]), [3, -5], false), 'RANGE', 'fanouts[1] = -5');
    expectFathom(() => native().neighborSampler(ok, Int32Array.from([1, 0]), [], false), 'RANGE', 'fanouts is empty');
    expectThrows(() => native().neighborSampler(Float32Array.from([0]) as unknown as Int32Array, ok, [1], false), TypeError, 'rowptr must be an Int32Array');
  });

  it('samples a hop of isolated nodes as nothing and fanout 0 as no neighbour', () => {
    using graph = Graph.fromEdgeIndex([[1], [0]], { numNodes: 3 });
    using sampler = new NeighborSampler(graph, { fanouts: [0, 5] });
    using b = sampler.sample([0, 2], { seed: 1 });
    expect(b.numSampledNodes).toEqual([2, 0, 0]);
    expect(b.blocks.map((x) => [x.numSources, x.numTargets, x.numEdges])).toEqual([
      [2, 2, 0],
      [2, 2, 0],
    ]);
  });
});
