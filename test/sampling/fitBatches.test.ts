import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { batchesFromFlags, batchSetting, batchSettingLabel, checkBatchFlags, fanoutList } from '../../lib/cli/batchOptions.js';
import { runTrainJob, TRAIN_DEFAULTS } from '../../lib/cli/trainJob.js';
import type { NodeData } from '../../lib/data/NodeData.js';
import { GAT } from '../../lib/models/GAT.js';
import { GCN } from '../../lib/models/GCN.js';
import { GIN } from '../../lib/models/GIN.js';
import { GraphSAGE } from '../../lib/models/GraphSAGE.js';
import { BLOCK_MODELS } from '../../lib/models/checkBlocks.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { buildModel, MODELS } from '../../lib/models/registry.js';
import { neighborLoader } from '../../lib/sampling/neighborLoader.js';
import { evaluate, fit, type FitOptions } from '../../lib/train/fit.js';
import { ensureDistBuilt, expectRejects, liveCpu, expectThrows, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';
import { runCli } from '../helpers/runCli.js';

describe('fit with sampled batches', () => {
  it('trains GraphSAGE on mini-batches to well above chance and evaluates full-batch', async () => {
    using data = smallNodeData();
    using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 16, outChannels: data.numClasses, seed: 0 });
    using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [5, 5], batchSize: 16, shuffle: true, seed: 0 });
    evaluate(model, data); // builds the graph's cached mean operator, owned by the data
    const live = liveCpu().tensors;
    const result = await fit(model, data, { epochs: 30, lr: 0.01, patience: 0, batches: loader });
    expect(result.epochsRun).toBe(30);
    // Every batch's features, labels, blocks' operators and step tensors were freed.
    expect(liveCpu().tensors).toBe(live);
    // Four balanced classes: chance is 0.25; the SBM (homophily 0.85) is learnable.
    expect(result.best.valAcc).toBeGreaterThan(0.6);
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0].trainLoss);
  });

  it.each([
    ['GCN', (d: NodeData) => new GCN({ inChannels: d.numFeatures, hiddenChannels: 16, outChannels: d.numClasses, seed: 0 })],
    ['GAT', (d: NodeData) => new GAT({ inChannels: d.numFeatures, hiddenChannels: 8, heads: 2, outChannels: d.numClasses, seed: 0 })],
    ['GATv2', (d: NodeData) => new GAT({ inChannels: d.numFeatures, hiddenChannels: 8, heads: 2, outChannels: d.numClasses, version: 'v2', seed: 0 })],
  ] as [string, (d: NodeData) => NodeModel][])('trains %s on neighbour-sampled mini-batches to high accuracy and frees every batch', async (_, make) => {
    const base = liveCpu().tensors;
    const data = smallNodeData();
    const model = make(data);
    const loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [5, 5], batchSize: 16, shuffle: true, seed: 0 });
    const result = await fit(model, data, { epochs: 40, lr: 0.01, patience: 0, batches: loader });
    // Chance is 0.25 on four balanced classes; the SBM with homophily 0.85 reaches ~0.9 full-batch.
    expect(result.best.valAcc).toBeGreaterThan(0.8);
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0].trainLoss / 2);
    // Every batch's blocks, their GCN values and attention operators went with the batch; the
    // compiled evaluation pass goes with the model.
    for (const owner of [loader, model, data]) owner.dispose();
    expect(liveCpu().tensors).toBe(base);
  });

  it('resumes a sampled run bit for bit: the batches of an epoch are a function of (seed, epoch)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'fathom-batches-'));
    try {
      using data = smallNodeData();
      const run = async (epochs: number, extra: FitOptions = {}) => {
        using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, seed: extra.resume ? 9 : 0 });
        using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [4, 3], batchSize: 20, shuffle: true, seed: 2 });
        const r = await fit(model, data, { epochs, patience: 0, restoreBest: false, batches: loader, ...extra });
        return { r, w: model.parameters().map((p) => [...p.toArray()]) };
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

  it('refuses a model that trains full-batch only, diagnostics, and a batches value that is not a loader', async () => {
    using data = smallNodeData();
    using gin = new GIN({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses });
    using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [5, 5], batchSize: 16 });
    await expect(fit(gin, data, { epochs: 1, batches: loader })).rejects.toThrow(
      /batches need a model that runs on sampled blocks \(sage, gcn, gat, gatv2\); gin/,
    );
    using sage = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses });
    await expectRejects(fit(sage, data, { epochs: 1, batches: loader, diagnostics: {} }), RangeError, 'diagnostics need full-batch steps');
    await expectRejects(fit(sage, data, { epochs: 1, batches: {} as never }), TypeError, 'options.batches', 'NeighborLoader');
    using other = smallNodeData({ numNodes: 120 });
    using wrong = neighborLoader({ graph: other.graph, nodes: other.masks.train, fanouts: [5, 5], batchSize: 16 });
    await expect(fit(sage, data, { epochs: 1, batches: wrong })).rejects.toThrow(/120 nodes; the data has 240/);
  });

  it('refuses blocks of the wrong number of layers in forwardBlocks', () => {
    using data = smallNodeData();
    using sage = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, numLayers: 2 });
    expectThrows(() => sage.forwardBlocks(data.x, []), RangeError, 'GraphSAGE.forwardBlocks', '2 Blocks', 'an array of 0');
  });
});

describe('mini-batch command-line flags', () => {
  it('parse --fanout lists and reject malformed ones', () => {
    expect(fanoutList('25,10')).toEqual([25, 10]);
    expect(fanoutList('-1')).toEqual([-1]);
    for (const bad of ['25,,10', '2.5', '-2', 'a']) expect(() => fanoutList(bad)).toThrow(/comma-separated counts/);
  });

  it('reject --fanout without --batch-size, a missing --fanout and a count per layer that does not match', () => {
    const spec = { model: 'sage', seed: 0, layers: 2 };
    expect(() => checkBatchFlags({ fanout: [5] }, spec)).toThrow('--fanout needs --batch-size');
    expect(() => checkBatchFlags({ replace: true }, spec)).toThrow('--replace needs --batch-size');
    expect(() => checkBatchFlags({ batchSize: 8 }, spec)).toThrow(/--batch-size needs --fanout/);
    expect(() => checkBatchFlags({ batchSize: 8, fanout: [5] }, spec)).toThrow('--fanout has 1 counts but the model has 2 layers');
    expect(() => checkBatchFlags({ batchSize: 8, fanout: [5, 5] }, spec)).not.toThrow();
  });

  it('accept --batch-size for gcn and refuse it for a model that trains full-batch only', () => {
    using data = smallNodeData();
    using gcn = smallGcn(data);
    expect(batchesFromFlags({ seed: 0 }, data, gcn)).toBeUndefined();
    using loader = batchesFromFlags({ seed: 0, batchSize: 8, fanout: [2, 2] }, data, gcn)!;
    expect(loader.numBatches).toBeGreaterThan(0);
    using gin = new GIN({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses });
    expect(() => batchesFromFlags({ seed: 0, batchSize: 8, fanout: [2, 2] }, data, gin)).toThrow(
      /--batch-size needs a model that trains on sampled blocks \(sage, gcn, gat, gatv2\); gin trains full-batch only/,
    );
  });

  it('list exactly the registry models that run on blocks in their messages', () => {
    using data = smallNodeData();
    const takes = MODELS.filter((model) => {
      using built = buildModel({ model, seed: 0 }, { inChannels: data.numFeatures, outChannels: data.numClasses, device: 'cpu' });
      return built.acceptsBlocks;
    });
    expect(takes.sort()).toEqual([...BLOCK_MODELS].sort());
  });

  it('train sage on Cora in sampled batches through the train job', async () => {
    const summary = await runTrainJob({ ...TRAIN_DEFAULTS, dataset: 'cora', model: 'sage', epochs: 3, batchSize: 512, fanout: [25, 10], device: 'cpu' });
    expect(summary.model).toBe('sage');
    expect(summary.epochs_run).toBe(3);
    // The summary says how the steps were batched.
    expect(summary.batches).toEqual({ kind: 'sampled', batch_size: 512, fanouts: [25, 10], replace: false });
    expect(Number.isFinite(summary.train_loss) && summary.train_loss > 0).toBe(true);
  });

  it('train gcn on Cora in sampled batches through the train job', async () => {
    const summary = await runTrainJob({ ...TRAIN_DEFAULTS, dataset: 'cora', model: 'gcn', epochs: 2, batchSize: 512, fanout: [25, 10], device: 'cpu' });
    expect(summary.model).toBe('gcn');
    expect(summary.batches).toEqual({ kind: 'sampled', batch_size: 512, fanouts: [25, 10], replace: false });
    expect(Number.isFinite(summary.train_loss) && summary.train_loss > 0).toBe(true);
  });

  it('the fathom command trains gat in sampled batches and refuses them for gin, naming the models that take them', async () => {
    ensureDistBuilt();
    const ok = await runCli(['train', '--dataset', 'cora', '--model', 'gat', '--epochs', '1', '--batch-size', '512', '--fanout', '25,10']);
    expect(ok.status, ok.stderr).toBe(0);
    const refused = await runCli(['train', '--dataset', 'cora', '--model', 'gin', '--epochs', '1', '--batch-size', '512', '--fanout', '25,10']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('--batch-size needs a model that trains on sampled blocks (sage, gcn, gat, gatv2); gin trains full-batch only');
  });

  it('records full-batch, sampled and partition runs in the summary and its table', () => {
    expect(batchSetting({})).toEqual({ kind: 'full' });
    expect(batchSetting({ partitions: 10, partsPerBatch: 2 })).toEqual({ kind: 'partitions', partitions: 10, parts_per_batch: 2, method: 'random' });
    expect(batchSetting({ partitions: 10 })).toEqual({ kind: 'partitions', partitions: 10, parts_per_batch: 1, method: 'random' });
    expect(batchSetting({ partitions: 10, partitionMethod: 'metis' })).toEqual({ kind: 'partitions', partitions: 10, parts_per_batch: 1, method: 'metis' });
    expect(batchSettingLabel(batchSetting({ batchSize: 64, fanout: [5, -1], replace: true }))).toBe('sampled: 64 seeds, fanouts 5,-1, with replacement');
    expect(batchSettingLabel(batchSetting({ partitions: 10, partsPerBatch: 2 }))).toBe('random partitions: 10 parts, 2 per batch');
    expect(batchSettingLabel(batchSetting({ partitions: 10, partitionMethod: 'metis' }))).toBe('METIS partitions: 10 parts, 1 per batch');
    expect(batchSettingLabel(batchSetting({}))).toBe('full batch');
  });
});
