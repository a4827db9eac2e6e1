import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { batchesFromFlags, checkBatchFlags } from '../../lib/cli/batchOptions.js';
import { runTrainJob, TRAIN_DEFAULTS } from '../../lib/cli/trainJob.js';
import { loadDataset } from '../../lib/data/loadDataset.js';
import { NodeData } from '../../lib/data/NodeData.js';
import { Graph } from '../../lib/graph/Graph.js';
import { GAT } from '../../lib/models/GAT.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { ResGCN } from '../../lib/models/ResGCN.js';
import { metisStatus } from '../../lib/sampling/metisParts.js';
import { PartitionLoader, type PartitionMethod, partitionLoader } from '../../lib/sampling/partitionLoader.js';
import { Rng } from '../../lib/random/rng.js';
import { evaluate, fit, type FitOptions } from '../../lib/train/fit.js';
import { expectThrows, liveCpu, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

/** A random directed multigraph (self loops and repeated edges included) as a flat edge index. */
function randomEdges(numNodes: number, numEdges: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const flat = new Int32Array(2 * numEdges);
  for (let i = 0; i < 2 * numEdges; i++) flat[i] = rng.nextInt(numNodes);
  return flat;
}

/** Sorted "src>dst" strings of the edges among `nodes`, in global ids: the plain reference. */
function referenceInduced(flat: Int32Array, nodes: Int32Array): string[] {
  const inSet = new Set(nodes);
  const E = flat.length / 2;
  const out: string[] = [];
  for (let e = 0; e < E; e++) if (inSet.has(flat[e]) && inSet.has(flat[E + e])) out.push(`${flat[e]}>${flat[E + e]}`);
  return out.sort();
}

/** The same strings for a batch graph, read back from its CSR and mapped to global ids. */
function batchEdges(graph: Graph, nodeIds: Int32Array): string[] {
  const { rowptr, col } = graph.csr();
  const out: string[] = [];
  for (let i = 0; i < graph.numNodes; i++) for (let k = rowptr[i]; k < rowptr[i + 1]; k++) out.push(`${nodeIds[col[k]]}>${nodeIds[i]}`);
  return out.sort();
}

/** The partition methods this machine runs: METIS only where libmetis loads. */
const METHODS: PartitionMethod[] = metisStatus().available ? ['random', 'metis'] : ['random'];

function weights(model: NodeModel): number[][] {
  return model.parameters().map((p) => [...p.toArray()]);
}

describe('partitionLoader', () => {
  it('puts every node in exactly one part per epoch, parts of sizes differing by at most one', () => {
    using data = smallNodeData();
    using loader = partitionLoader({ data, numParts: 7, partsPerBatch: 3, shuffle: true, seed: 1 });
    for (const epoch of [1, 2]) {
      const parts = loader.parts(epoch);
      expect(parts.length).toBe(7);
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      const all = parts.flatMap((p) => [...p]).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: data.graph.numNodes }, (_, i) => i));
      // Batches: 3 + 3 + 1 parts, together every node once.
      const seen: number[] = [];
      let n = 0;
      for (const b of loader.batches(epoch)) {
        using batch = b;
        seen.push(...batch.nodeIds);
        n += 1;
      }
      expect(n).toBe(3);
      expect(seen.sort((a, b) => a - b)).toEqual(all);
    }
  });

  it('draws the partition from (seed, epoch) when shuffling and from seed alone otherwise', () => {
    using data = smallNodeData();
    const parts = (seed: number, shuffle: boolean, epoch: number) =>
      partitionLoader({ graph: data.graph, numParts: 5, partsPerBatch: 2, seed, shuffle })
        .parts(epoch)
        .map((p) => [...p]);
    expect(parts(3, true, 2)).toEqual(parts(3, true, 2));
    expect(parts(3, true, 2)).not.toEqual(parts(3, true, 1));
    expect(parts(3, true, 2)).not.toEqual(parts(4, true, 2));
    expect(parts(3, false, 1)).toEqual(parts(3, false, 7));
    expect(parts(3, false, 1)).not.toEqual(parts(5, false, 1));
  });

  it('builds each batch graph with exactly the edges among its nodes, against a plain reference', () => {
    const numNodes = 60;
    const flat = randomEdges(numNodes, 400, 11);
    using graph = Graph.fromEdgeIndex(flat, { numNodes });
    using loader = partitionLoader({ graph, numParts: 6, partsPerBatch: 2, shuffle: true, seed: 5 });
    let total = 0;
    for (const b of loader.batches(3)) {
      using batch = b;
      expect([...batch.nodeIds]).toEqual([...batch.nodeIds].sort((x, y) => x - y));
      const ref = referenceInduced(flat, batch.nodeIds);
      expect(batchEdges(batch.graph, batch.nodeIds)).toEqual(ref);
      expect(batch.graph.numEdges).toBe(ref.length);
      total += ref.length;
    }
    // Some edges join nodes of different batches (dropped), and the test exercises a real cut.
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(400);
  });

  it.each(METHODS)('with one %s part of all nodes trains exactly as full batch: the same weights after a step, bit for bit', async (method) => {
    using data = smallNodeData();
    const step = async (make: () => NodeModel, parts: boolean) => {
      using model = make();
      using loader = partitionLoader({ data, numParts: 1, partsPerBatch: 1, method, shuffle: true, seed: 3 });
      const r = await fit(model, data, { epochs: 2, patience: 0, restoreBest: false, batches: parts ? loader : undefined });
      return { w: weights(model), loss: r.history.map((h) => h.trainLoss) };
    };
    // The batch's nodes are all nodes in ascending order, so its graph rebuilds the same CSR and
    // every op sees the same inputs in the same order (dropout stream included): no tolerance.
    const makers: (() => NodeModel)[] = [
      () => smallGcn(data, { seed: 4 }),
      ...(['fixup', 'interpolate', 'res+', 'reversible', 'none'] as const).map(
        (residual) => () => new ResGCN({ inChannels: data.numFeatures, outChannels: data.numClasses, hiddenChannels: 8, numLayers: 4, residual, seed: 2 }),
      ),
      () => new GAT({ inChannels: data.numFeatures, hiddenChannels: 4, outChannels: data.numClasses, heads: 2, seed: 1 }),
    ];
    for (const make of makers) {
      const full = await step(make, false);
      const parts = await step(make, true);
      expect(parts.loss).toEqual(full.loss);
      expect(parts.w).toEqual(full.w);
    }
  });

  it.each(METHODS)('with %s parts, every batch of all parts at once trains exactly as full batch', async (method) => {
    using data = smallNodeData();
    const run = async (parts: boolean) => {
      using model = smallGcn(data, { seed: 4 });
      using loader = partitionLoader({ data, numParts: 6, partsPerBatch: 6, method, shuffle: true, seed: 1 });
      const r = await fit(model, data, { epochs: 2, patience: 0, restoreBest: false, batches: parts ? loader : undefined });
      return { w: weights(model), loss: r.history.map((h) => h.trainLoss) };
    };
    const full = await run(false);
    const parts = await run(true);
    expect(parts.loss).toEqual(full.loss);
    expect(parts.w).toEqual(full.w);
  });

  it('resumes a partition run bit for bit: the batches of an epoch are a function of (seed, epoch)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'fathom-parts-'));
    try {
      using data = smallNodeData();
      const run = async (epochs: number, extra: FitOptions = {}) => {
        using model = smallGcn(data, { seed: extra.resume ? 9 : 0 });
        using loader = partitionLoader({ data, numParts: 6, partsPerBatch: 2, shuffle: true, seed: 2 });
        const r = await fit(model, data, { epochs, patience: 0, restoreBest: false, batches: loader, ...extra });
        return { r, w: weights(model) };
      };
      const straight = await run(6);
      await run(3, { checkpoint: { dir: tmp, every: 3 } });
      const resumed = await run(6, { checkpoint: { dir: tmp, every: 3 }, resume: true });
      expect(resumed.r.resumedFrom).toBe(3);
      expect(resumed.r.history.map((h) => h.trainLoss)).toEqual(straight.r.history.slice(3).map((h) => h.trainLoss));
      expect(resumed.w).toEqual(straight.w);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('trains a 16-block reversible res-gcn on random-partition batches of Cora above chance, freeing every batch', async () => {
    using data = NodeData.from(loadDataset('cora', { normalizeFeatures: true }));
    using model = new ResGCN({
      inChannels: data.numFeatures,
      outChannels: data.numClasses,
      hiddenChannels: 32,
      numLayers: 16,
      residual: 'reversible',
      seed: 0,
    });
    using loader = partitionLoader({ data, numParts: 10, partsPerBatch: 2, shuffle: true, seed: 0 });
    evaluate(model, data); // builds the graph's cached operator, owned by the data
    const live = liveCpu().tensors;
    const result = await fit(model, data, { epochs: 25, lr: 0.01, patience: 0, batches: loader });
    expect(liveCpu().tensors).toBe(live);
    // Seven classes, the largest 30 % of the test set: a majority guess scores about 0.32.
    expect(result.best.testAcc).toBeGreaterThan(0.55);
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0].trainLoss);
  }, 120_000);

  it('takes one step per batch holding a training node and none for the others', async () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    // One node per batch: most batches hold no training node and take no step.
    using loader = partitionLoader({ data, numParts: data.graph.numNodes, partsPerBatch: 1, shuffle: true });
    let steps = 0;
    const r = await fit(model, data, { epochs: 1, patience: 0, batches: loader, callbacks: [{ onBackward: () => void steps++ }] });
    expect(steps).toBe(data.masks.train.reduce((a, m) => a + m, 0));
    expect(Number.isFinite(r.history[0].trainLoss)).toBe(true);
  });

  it('names the argument and the value of every bad option', async () => {
    using data = smallNodeData();
    const n = data.graph.numNodes;
    expectThrows(() => partitionLoader({ data, numParts: 0, partsPerBatch: 1 }), RangeError, 'partitionLoader: numParts', `[1, numNodes = ${n}]`, 'got 0');
    expectThrows(() => partitionLoader({ data, numParts: n + 1, partsPerBatch: 1 }), RangeError, 'numParts', `got ${n + 1}`);
    expectThrows(() => partitionLoader({ data, numParts: 4, partsPerBatch: 5 }), RangeError, 'partsPerBatch', '[1, numParts = 4]', 'got 5');
    expectThrows(() => partitionLoader({ data, numParts: 4, partsPerBatch: 1.5 }), RangeError, 'partsPerBatch', 'got 1.5');
    expectThrows(() => partitionLoader({ data, numParts: 4, partsPerBatch: 1, seed: -1 }), RangeError, 'seed', 'got -1');
    expectThrows(() => partitionLoader({ data, numParts: 4, partsPerBatch: 1, shuffle: 'yes' as never }), TypeError, 'shuffle');
    expectThrows(() => partitionLoader({ numParts: 4, partsPerBatch: 1 }), TypeError, 'graph must be a Graph');
    expectThrows(() => partitionLoader({ data, graph: data.graph, numParts: 4, partsPerBatch: 1 }), TypeError, 'data or graph, not both');
    expectThrows(() => partitionLoader({ data: {} as never, numParts: 4, partsPerBatch: 1 }), TypeError, 'data must be NodeData');
    using loader = partitionLoader({ data, numParts: 4, partsPerBatch: 1 });
    expectThrows(() => loader.parts(0), RangeError, 'PartitionLoader.parts', 'epoch', 'got 0');
    using other = smallNodeData({ numNodes: 120 });
    using wrong = partitionLoader({ data: other, numParts: 4, partsPerBatch: 1 });
    using gcn = smallGcn(data);
    await expect(fit(gcn, data, { epochs: 1, batches: wrong })).rejects.toThrow(/120 nodes; the data has 240/);
    wrong.dispose();
    await expect(fit(gcn, data, { epochs: 1, batches: wrong })).rejects.toThrow(/loader was disposed/);
  });
});

describe('random-partition command-line flags', () => {
  const spec = { model: 'gcn', seed: 0, layers: 2 };

  it('refuse --partitions with --batch-size, --parts-per-batch alone or above --partitions', () => {
    expect(() => checkBatchFlags({ partitions: 10, batchSize: 8, fanout: [5, 5] }, spec)).toThrow('--partitions and --batch-size are two kinds of batches');
    expect(() => checkBatchFlags({ partsPerBatch: 2 }, spec)).toThrow('--parts-per-batch needs --partitions');
    expect(() => checkBatchFlags({ partitions: 3, partsPerBatch: 4 }, spec)).toThrow('--parts-per-batch 4 exceeds --partitions 3');
    expect(() => checkBatchFlags({ partitions: 3, partsPerBatch: 3 }, spec)).not.toThrow();
    expect(() => checkBatchFlags({ partitionMethod: 'metis' }, spec)).toThrow('--partition-method needs --partitions');
  });

  it('make a shuffled partition loader keyed by the run seed, and refuse more parts than nodes', () => {
    using data = smallNodeData();
    using gcn = smallGcn(data);
    using loader = batchesFromFlags({ seed: 7, partitions: 10 }, data, gcn) as PartitionLoader;
    expect(loader).toBeInstanceOf(PartitionLoader);
    expect([loader.numParts, loader.partsPerBatch, loader.seed, loader.shuffle, loader.method]).toEqual([10, 1, 7, true, 'random']);
    for (const method of METHODS) {
      using chosen = batchesFromFlags({ seed: 7, partitions: 10, partitionMethod: method }, data, gcn) as PartitionLoader;
      expect(chosen.method).toBe(method);
    }
    expect(() => batchesFromFlags({ seed: 0, partitions: 241 }, data, gcn)).toThrow("--partitions 241 exceeds the dataset's 240 nodes");
  });

  it('train a gcn on Cora in partition batches through the train job', async () => {
    const summary = await runTrainJob({ ...TRAIN_DEFAULTS, dataset: 'cora', model: 'gcn', epochs: 3, partitions: 10, partsPerBatch: 2, device: 'cpu' });
    expect(summary.epochs_run).toBe(3);
    expect(Number.isFinite(summary.train_loss) && summary.train_loss > 0).toBe(true);
  });
});
