import { afterAll, describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { GAT } from '../../lib/models/GAT.js';
import { GCN } from '../../lib/models/GCN.js';
import { GraphSAGE } from '../../lib/models/GraphSAGE.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { NeighborSampler } from '../../lib/sampling/NeighborSampler.js';
import type { Tensor } from '../../lib/tensor/Tensor.js';
import { BatchFeatures } from '../../lib/train/batchFeatures.js';
import { disposeStaged, stageBatch } from '../../lib/train/stageBatch.js';
import { liveCpu, smallNodeData } from '../helpers/apiFixtures.js';

// Staging a batch builds every block operator the model reads before its step, which is what
// lets a CUDA loader copy them while the previous step runs. On the CPU that is all it does.

const data = smallNodeData();
const sampler = new NeighborSampler(data.graph, { fanouts: [4, 3] });
afterAll(() => {
  sampler.dispose();
  data.dispose();
});
const seeds = Int32Array.from({ length: 12 }, (_, i) => 3 * i);
const [F, C] = [data.numFeatures, data.numClasses];

const models: [string, () => NodeModel][] = [
  ['GraphSAGE', () => new GraphSAGE({ inChannels: F, hiddenChannels: 8, outChannels: C, seed: 1 })],
  ['GCN', () => new GCN({ inChannels: F, hiddenChannels: 8, outChannels: C, seed: 1 })],
  ['GAT', () => new GAT({ inChannels: F, hiddenChannels: 4, heads: 2, outChannels: C, seed: 1 })],
  ['GATv2', () => new GAT({ inChannels: F, hiddenChannels: 4, heads: 2, outChannels: C, version: 'v2', seed: 1 })],
];

/** Native CPU tensors a forward on the batch leaves behind: the block operators it had to build. */
function leftByForward(model: NodeModel, x: Tensor, blocks: Parameters<NodeModel['forwardBlocks']>[1]): number {
  const before = liveCpu().tensors;
  noGrad(() => tidy(() => void model.forwardBlocks(x, blocks)));
  return liveCpu().tensors - before;
}

describe('staging a sampled batch', () => {
  it.each(models)('prepareBlocks of %s builds every block operator forwardBlocks reads, so the forward builds none', (_, make) => {
    using model = make();
    const inputs = new BatchFeatures(data);
    const unstaged = sampler.sample(seeds, { seed: 0, batch: 0 });
    const x = inputs.rows(unstaged.nodeIds) as Tensor;
    try {
      // Without staging, the first forward builds (and the blocks keep) the operators.
      expect(leftByForward(model, x, unstaged.blocks)).toBeGreaterThan(0);
    } finally {
      x.dispose();
      unstaged.dispose();
    }
    const staged = stageBatch(model, inputs, sampler.sample(seeds, { seed: 0, batch: 0 }));
    try {
      expect(staged.batch.blocks.every((b) => !b.overlapCopies)).toBe(true); // CPU data: ordinary copies
      model.prepareBlocks(staged.batch.blocks);
      expect(leftByForward(model, staged.x as Tensor, staged.batch.blocks)).toBe(0);
    } finally {
      disposeStaged(staged);
    }
  });

  it('on CPU data gathers the feature rows of the batch’s nodes and frees them with the batch', () => {
    using model = models[0][1]();
    const inputs = new BatchFeatures(data);
    const staged = stageBatch(model, inputs, sampler.sample(seeds, { seed: 2, batch: 1 }));
    try {
      const host = data.x.toArray();
      const want = Float32Array.from(Array.from(staged.batch.nodeIds).flatMap((v) => Array.from(host.subarray(v * F, (v + 1) * F))));
      expect((staged.x as Tensor).shape).toEqual([staged.batch.nodeIds.length, F]);
      expect((staged.x as Tensor).toArray()).toEqual(want);
    } finally {
      disposeStaged(staged);
    }
    expect(staged.batch.disposed).toBe(true);
  });
});
