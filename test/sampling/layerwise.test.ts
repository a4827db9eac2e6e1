import { describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { loadDataset } from '../../lib/data/loadDataset.js';
import { NodeData } from '../../lib/data/NodeData.js';
import { GraphSAGE } from '../../lib/models/GraphSAGE.js';
import { neighborLoader } from '../../lib/sampling/neighborLoader.js';
import { fit, type FitOptions } from '../../lib/train/fit.js';
import { GAT } from '../../lib/models/GAT.js';
import { GCN } from '../../lib/models/GCN.js';
import { GIN } from '../../lib/models/GIN.js';
import { layerwiseInference, type LayerwiseModel } from '../../lib/train/layerwiseInference.js';
import { expectRejects, liveCpu, smallGcn, smallNodeData, smallSbm } from '../helpers/apiFixtures.js';

/** Full-batch logits in eval mode, as a host array. */
function fullBatch(model: LayerwiseModel, data: NodeData): Float32Array | Float64Array {
  model.eval();
  try {
    return noGrad(() => tidy(() => model.forward(data.features, data.graph).toArray() as Float32Array | Float64Array));
  } finally {
    model.train();
  }
}

async function layerwise(model: LayerwiseModel, data: NodeData, batchSize: number): Promise<Float32Array | Float64Array> {
  using logits = await layerwiseInference(model, data, { batchSize });
  expect(logits.shape).toEqual([data.graph.numNodes, data.numClasses]);
  return logits.toArray() as Float32Array | Float64Array;
}

/** The largest |a − b| over the largest |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

describe('layerwiseInference', () => {
  it('reproduces full-batch GraphSAGE logits in f64 to rounding, for any batch size and three layers', async () => {
    // In f64 only the association of sums differs between the two paths ((A·X)·W against
    // A·(X·W), and GEMMs of other row counts): errors of order 1e-15 relative. A wrong or
    // incomplete neighbourhood, a missing ReLU or a stale buffer gives order-one differences.
    using data = NodeData.from(smallSbm(), { dtype: 'f64' });
    using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 12, outChannels: data.numClasses, numLayers: 3, dtype: 'f64', seed: 5 });
    const ref = fullBatch(model, data);
    for (const batchSize of [1, 7, 100, data.graph.numNodes, 10_000]) {
      expect(relativeError(await layerwise(model, data, batchSize), ref)).toBeLessThan(1e-12);
    }
    expect(model.training).toBe(true);
  });

  it.each([
    ['GCN', (d: NodeData) => new GCN({ inChannels: d.numFeatures, hiddenChannels: 12, outChannels: d.numClasses, numLayers: 3, dtype: 'f64', seed: 5 })],
    [
      'GAT with concatenated heads',
      (d: NodeData) => new GAT({ inChannels: d.numFeatures, hiddenChannels: 6, heads: 3, outChannels: d.numClasses, numLayers: 3, dtype: 'f64', seed: 5 }),
    ],
    [
      'GATv2',
      (d: NodeData) => new GAT({ inChannels: d.numFeatures, hiddenChannels: 6, heads: 2, outChannels: d.numClasses, version: 'v2', dtype: 'f64', seed: 5 }),
    ],
  ] as [string, (d: NodeData) => LayerwiseModel][])('reproduces full-batch %s logits in f64 to rounding, for any batch size', async (_, make) => {
    // As for GraphSAGE: only the association of sums differs. The blocks carry the graph's
    // in-degrees, so GCN's normalized rows are the full graph's; block-local degrees (the outer
    // neighbours have no in-edges in their block) would differ by order one.
    using data = NodeData.from(smallSbm(), { dtype: 'f64' });
    using model = make(data);
    const ref = fullBatch(model, data);
    for (const batchSize of [1, 13, data.graph.numNodes]) {
      expect(relativeError(await layerwise(model, data, batchSize), ref)).toBeLessThan(1e-12);
    }
  });

  it('reproduces full-batch logits on Cora in f32 (sparse features) within f32 rounding, freeing every batch', async () => {
    using data = NodeData.from(loadDataset('cora', { normalizeFeatures: true }));
    expect(data.sparseX).not.toBeNull();
    using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 32, outChannels: data.numClasses, seed: 1 });
    const ref = fullBatch(model, data);
    const live = liveCpu().tensors;
    const got = await layerwise(model, data, 500);
    expect(liveCpu().tensors).toBe(live);
    // Sums of up to 1433 products reassociated in f32 (eps 6e-8): observed 8e-8 of the largest
    // logit, bounded here at 1e-5; a wrong aggregation would differ by tens of percent.
    expect(relativeError(got, ref)).toBeLessThan(1e-5);
    let mismatched = 0;
    const C = data.numClasses;
    for (let i = 0; i < data.graph.numNodes; i++) {
      const row = (a: ArrayLike<number>) => Array.from({ length: C }, (_, c) => a[i * C + c]);
      const argmax = (r: number[]) => r.indexOf(Math.max(...r));
      if (argmax(row(got)) !== argmax(row(ref))) mismatched++;
    }
    expect(mismatched).toBeLessThanOrEqual(2);
  });

  it('lets fit evaluate through it: the same accuracies as full-batch evaluation, and refuses other models', async () => {
    using data = NodeData.from(smallSbm(), { dtype: 'f64' });
    const run = async (evaluation?: FitOptions['evaluation']) => {
      using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, dropout: 0, dtype: 'f64', seed: 2 });
      using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [4, 4], batchSize: 32, shuffle: true, seed: 1 });
      const r = await fit(model, data, { epochs: 4, patience: 0, batches: loader, evaluation });
      return r.history;
    };
    // Without dropout the training steps are the same; the evaluations differ only by rounding.
    const full = await run();
    const layered = await run({ layerwise: true, batchSize: 50 });
    expect(layered.map((h) => [h.trainAcc, h.valAcc, h.testAcc])).toEqual(full.map((h) => [h.trainAcc, h.valAcc, h.testAcc]));
    for (const [i, h] of layered.entries()) expect(h.valLoss).toBeCloseTo(full[i].valLoss, 10);
    using small = smallNodeData();
    using gcn = smallGcn(small);
    using gin = new GIN({ inChannels: small.numFeatures, hiddenChannels: 8, outChannels: small.numClasses, seed: 1 });
    await expect(fit(gin, small, { epochs: 1, evaluation: { layerwise: true, batchSize: 8 } })).rejects.toThrow(
      'evaluation.layerwise runs GraphSAGE, GCN and GAT layer by layer; gin',
    );
    await expectRejects(fit(gcn, small, { epochs: 1, evaluation: { layerwise: true } }), RangeError, 'evaluation.layerwise needs evaluation.batchSize');
    await expectRejects(fit(gcn, small, { epochs: 1, evaluation: { batchSize: 0 } }), RangeError, 'evaluation.batchSize', 'got 0');
  });

  it('names the argument and the value of bad input', async () => {
    using data = smallNodeData();
    using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses });
    using gin = new GIN({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, seed: 1 });
    await expectRejects(layerwiseInference(gin as never, data, { batchSize: 8 }), TypeError, 'layerwiseInference', 'model', 'GraphSAGE, GCN or GAT');
    await expectRejects(layerwiseInference(model, {} as never, { batchSize: 8 }), TypeError, 'layerwiseInference', 'data');
    await expectRejects(layerwiseInference(model, data, { batchSize: 0 }), RangeError, 'layerwiseInference: batchSize', 'got 0');
    await expectRejects(layerwiseInference(model, data, { batchSize: 2.5 }), RangeError, 'batchSize', 'got 2.5');
    await expectRejects(layerwiseInference(model, data, null as never), TypeError, 'layerwiseInference', 'options');
    const aborted = AbortSignal.abort(new Error('stop here'));
    await expect(layerwiseInference(model, data, { batchSize: 8, signal: aborted })).rejects.toThrow('stop here');
  });
});
