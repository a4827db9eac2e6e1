import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { batchesFromFlags, batchSetting, batchSettingLabel, checkBatchFlags, fanoutList } from '../../lib/cli/batchOptions.js';
import { runTrainJob, TRAIN_DEFAULTS } from '../../lib/cli/trainJob.js';
import { GraphSAGE } from '../../lib/models/GraphSAGE.js';
import { neighborLoader } from '../../lib/sampling/neighborLoader.js';
import { evaluate, fit, type FitOptions } from '../../lib/train/fit.js';
import { expectRejects, liveCpu, expectThrows, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

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
    using gcn = smallGcn(data);
    using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [5, 5], batchSize: 16 });
    await expect(fit(gcn, data, { epochs: 1, batches: loader })).rejects.toThrow(/batches need a model that runs on sampled blocks \(sage\); gcn/);
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

  it('refuse --batch-size for a model that trains full-batch only', () => {
    using data = smallNodeData();
    using gcn = smallGcn(data);
    expect(batchesFromFlags({ seed: 0 }, data, gcn)).toBeUndefined();
    expect(() => batchesFromFlags({ seed: 0, batchSize: 8, fanout: [2, 2] }, data, gcn)).toThrow(
      /--batch-size needs a model that trains on sampled blocks \(sage\); gcn/,
    );
  });

  it('train sage on Cora in sampled batches through the train job', async () => {
    const summary = await runTrainJob({ ...TRAIN_DEFAULTS, dataset: 'cora', model: 'sage', epochs: 3, batchSize: 512, fanout: [25, 10], device: 'cpu' });
    expect(summary.model).toBe('sage');
    expect(summary.epochs_run).toBe(3);
    // The summary says how the steps were batched.
    expect(summary.batches).toEqual({ kind: 'sampled', batch_size: 512, fanouts: [25, 10], replace: false });
    expect(Number.isFinite(summary.train_loss) && summary.train_loss > 0).toBe(true);
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
