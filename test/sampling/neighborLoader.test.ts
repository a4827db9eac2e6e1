import { describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import type { NodeData } from '../../lib/data/NodeData.js';
import { GAT } from '../../lib/models/GAT.js';
import { GCN } from '../../lib/models/GCN.js';
import { GraphSAGE } from '../../lib/models/GraphSAGE.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { Graph } from '../../lib/graph/Graph.js';
import { Rng } from '../../lib/random/rng.js';
import { NeighborSampler } from '../../lib/sampling/NeighborSampler.js';
import { neighborLoader } from '../../lib/sampling/neighborLoader.js';
import type { SampledBatch } from '../../lib/sampling/SampledBatch.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { expectThrows, smallNodeData } from '../helpers/apiFixtures.js';
import { randomInput } from '../helpers/gradcheck.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

/** Every batch of one epoch, collected and then disposed. */
async function collect(loader: AsyncIterable<SampledBatch>, each: (b: SampledBatch) => void): Promise<number> {
  let n = 0;
  for await (const b of loader) {
    using batch = b;
    each(batch);
    n += 1;
  }
  return n;
}

/** The rows `ids` of the data's dense features, [ids.length, F]. */
function gather(data: NodeData, ids: Int32Array): Tensor {
  const F = data.numFeatures;
  const host = data.x.toArray() as Float32Array;
  const out = new Float32Array(ids.length * F);
  ids.forEach((v, i) => out.set(host.subarray(v * F, (v + 1) * F), i * F));
  return Tensor.from(out, [ids.length, F]);
}

describe('neighborLoader', () => {
  it('covers every seed node once per epoch in batches of batchSize, in a new order each shuffled epoch', async () => {
    using data = smallNodeData();
    using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [3, 2], batchSize: 7, shuffle: true, seed: 4 });
    const train = [...data.masks.train].flatMap((m, i) => (m ? [i] : []));
    const epochs: number[][] = [];
    for (let e = 0; e < 2; e++) {
      const seen: number[] = [];
      const sizes: number[] = [];
      const n = await collect(loader, (b) => {
        sizes.push(b.batchSize);
        seen.push(...b.nodeIds.subarray(0, b.batchSize));
        expect(b.blocks[1].numTargets).toBe(b.batchSize);
      });
      expect(n).toBe(loader.numBatches);
      expect(sizes.slice(0, -1).every((s) => s === 7)).toBe(true);
      expect([...seen].sort((a, b) => a - b)).toEqual(train);
      epochs.push(seen);
    }
    expect(epochs[1]).not.toEqual(epochs[0]);
    // Epoch e is a function of (seed, e): a second loader replays epoch 2 exactly.
    using again = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [3, 2], batchSize: 7, shuffle: true, seed: 4 });
    const replay: number[] = [];
    for await (const b of again.batches(2)) {
      replay.push(...b.nodeIds.subarray(0, b.batchSize));
      b.dispose();
    }
    expect(replay).toEqual(epochs[1]);
  });

  it.each([
    ['SAGE', (d: NodeData) => new GraphSAGE({ inChannels: d.numFeatures, hiddenChannels: 16, outChannels: d.numClasses, seed: 2 })],
    ['GCN', (d: NodeData) => new GCN({ inChannels: d.numFeatures, hiddenChannels: 16, outChannels: d.numClasses, seed: 2 })],
    ['GAT', (d: NodeData) => new GAT({ inChannels: d.numFeatures, hiddenChannels: 8, heads: 2, outChannels: d.numClasses, bias: true, seed: 2 })],
    ['GATv2', (d: NodeData) => new GAT({ inChannels: d.numFeatures, hiddenChannels: 8, heads: 2, outChannels: d.numClasses, version: 'v2', seed: 2 })],
    [
      'GATv2 with separate source and target weights',
      (d: NodeData) =>
        new GAT({ inChannels: d.numFeatures, hiddenChannels: 8, heads: 2, outChannels: d.numClasses, version: 'v2', shareWeights: false, seed: 2 }),
    ],
  ] as [string, (d: NodeData) => NodeModel][])('with fanout −1 gives every batch’s seeds the full-batch %s logits', async (_, make) => {
    using data = smallNodeData();
    using model = make(data);
    model.eval();
    const N = data.graph.numNodes;
    const full = noGrad(() => tidy(() => model.forward(data.x, data.graph).toArray()));
    const C = data.numClasses;
    let scale = 0;
    for (const v of full) scale = Math.max(scale, Math.abs(v));
    // Batch 50 pins the degrees: nodes of the outer hop have no in-edges in their block, so only
    // the graph's degrees carried by the blocks (not the block's own) give GCN the full rows.
    for (const batchSize of [N, 50]) {
      using loader = neighborLoader({
        graph: data.graph,
        nodes: Int32Array.from({ length: N }, (_, i) => i),
        fanouts: [-1, -1],
        batchSize,
        shuffle: true,
        seed: 1,
      });
      let worst = 0;
      await collect(loader, (b) => {
        const got = noGrad(() => tidy(() => model.forwardBlocks(gather(data, b.nodeIds), b.blocks).toArray()));
        expect(got.length).toBe(b.batchSize * C);
        for (let i = 0; i < b.batchSize; i++) {
          for (let c = 0; c < C; c++) worst = Math.max(worst, Math.abs(got[i * C + c] - full[b.nodeIds[i] * C + c]));
        }
      });
      // The same operator values (computed in double, rounded once to f32), summed in another
      // order (local ids renumber each row's neighbours; GAT's softmax and its sums over ~10
      // neighbours, GEMMs on other row sets, the bias added outside the fused pass): a few ulps
      // (2^-24 ≈ 6e-8) of values up to `scale` per step, far below 1e-5 · scale. A missing
      // neighbour, a wrong degree or a wrong attention row moves logits by ~0.1 · scale.
      expect(worst / scale, `batch size ${batchSize}`).toBeLessThan(1e-5);
    }
  });

  it('with fanout −1 gives full-batch GCN and GAT logits in f64 on a graph with self loops, a repeated loop and repeated edges', () => {
    // The graph's operators keep one self loop per node and count repeated edges twice; the
    // sampler's degrees and the blocks must agree. f64: only the order of sums differs (~1e-15).
    const base = randomEdgeIndex(30, 90, 12);
    const E = base.length / 2;
    const extra: [number, number][] = [
      [3, 3],
      [3, 3],
      [7, 7],
      [base[0], base[E]],
      [base[5], base[E + 5]],
    ];
    const edges = Int32Array.from([...base.subarray(0, E), ...extra.map((p) => p[0]), ...base.subarray(E), ...extra.map((p) => p[1])]);
    using graph = Graph.fromEdgeIndex(edges, { numNodes: 30 });
    using sampler = new NeighborSampler(graph, { fanouts: [-1, -1] });
    expect(sampler.degrees[3]).toBe(graph.inDegree()[3] - 2);
    const xv = randomInput(new Rng(3), [30, 6]).values;
    using x = Tensor.from(xv, [30, 6]);
    const models = [
      new GCN({ inChannels: 6, hiddenChannels: 5, outChannels: 3, dtype: 'f64', seed: 4 }),
      new GAT({ inChannels: 6, hiddenChannels: 4, heads: 2, outChannels: 3, dtype: 'f64', seed: 4 }),
    ];
    for (const model of models) {
      using m = model;
      m.eval();
      const full = noGrad(() => tidy(() => m.forward(x, graph).toArray()));
      for (const seeds of [
        [3, 7, 0],
        [12, 3],
      ]) {
        using batch = sampler.sample(seeds, { seed: 1 });
        const rows = Float64Array.from({ length: batch.nodeIds.length * 6 }, (_, k) => xv[batch.nodeIds[Math.floor(k / 6)] * 6 + (k % 6)]);
        const got = noGrad(() => tidy(() => m.forwardBlocks(Tensor.from(rows, [batch.nodeIds.length, 6]), batch.blocks).toArray()));
        const want = seeds.flatMap((v) => [...full.subarray(v * 3, v * 3 + 3)]);
        expect(maxRelDiff(got, want), `${m.name} seeds ${seeds.join(',')}`).toBeLessThan(1e-12);
      }
    }
  });

  it('rejects bad nodes, batch sizes and fanouts with the argument named', () => {
    using data = smallNodeData();
    const graph = data.graph;
    const base = { graph, nodes: [0, 1], fanouts: [2], batchSize: 2 };
    expectThrows(() => neighborLoader({ ...base, nodes: new Uint8Array(3) }), RangeError, 'neighborLoader', 'mask of 3 entries', '240 nodes');
    expectThrows(() => neighborLoader({ ...base, nodes: [0, 240] }), RangeError, 'nodes[1] = 240');
    expectThrows(() => neighborLoader({ ...base, nodes: [4, 4] }), RangeError, 'nodes[1] = 4 repeats nodes[0]');
    expectThrows(() => neighborLoader({ ...base, nodes: new Uint8Array(240) }), RangeError, 'selects no node');
    expectThrows(() => neighborLoader({ ...base, batchSize: 0 }), RangeError, 'batchSize must be a positive integer, got 0');
    expectThrows(() => neighborLoader({ ...base, fanouts: [2, -3] }), RangeError, 'fanouts[1] = -3');
    expectThrows(() => neighborLoader({ ...base, seed: -1 }), RangeError, 'seed must be an integer ≥ 0');
    expectThrows(() => neighborLoader({ ...base, graph: {} as never }), TypeError, 'graph must be a Graph');
  });
});
