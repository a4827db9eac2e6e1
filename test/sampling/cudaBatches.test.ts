// Mini-batch training on the GPU: the next batch's rows and block operators reach the device
// through the copy stream while the current step runs (stageBatch.ts), and GAT attends over a
// block's rectangular operator with the CUDA kernels. The same loader and seed on the CPU give
// the reference: each epoch's loss must agree to float rounding, which a batch staged into the
// wrong rows, a copy the step did not wait for, or a wrong target count would break. Runs only
// where CUDA is present.
import { describe, expect, it } from 'vitest';

import { NodeData } from '../../lib/data/NodeData.js';
import { GAT } from '../../lib/models/GAT.js';
import { GCN } from '../../lib/models/GCN.js';
import { GraphSAGE } from '../../lib/models/GraphSAGE.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { devices } from '../../lib/runtime/devices.js';
import { neighborLoader } from '../../lib/sampling/neighborLoader.js';
import { fit } from '../../lib/train/fit.js';
import type { Device } from '../../lib/binding/handles.js';
import { smallSbm } from '../helpers/apiFixtures.js';

const CUDA = devices().cuda.available;

type Make = (d: NodeData, device: Device) => NodeModel;
const MODELS: [string, Make][] = [
  ['GraphSAGE', (d, device) => new GraphSAGE({ inChannels: d.numFeatures, hiddenChannels: 16, outChannels: d.numClasses, seed: 0, device })],
  ['GCN', (d, device) => new GCN({ inChannels: d.numFeatures, hiddenChannels: 16, outChannels: d.numClasses, seed: 0, device })],
  ['GAT', (d, device) => new GAT({ inChannels: d.numFeatures, hiddenChannels: 8, heads: 2, outChannels: d.numClasses, seed: 0, device })],
  ['GATv2', (d, device) => new GAT({ inChannels: d.numFeatures, hiddenChannels: 8, heads: 2, outChannels: d.numClasses, version: 'v2', seed: 0, device })],
];

async function losses(make: Make, device: Device): Promise<number[]> {
  using data = NodeData.from(smallSbm(), { device });
  using model = make(data, device);
  using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [5, 5], batchSize: 16, shuffle: true, seed: 0 });
  const result = await fit(model, data, { epochs: 6, lr: 0.01, patience: 0, batches: loader, restoreBest: false });
  return result.history.map((h) => h.trainLoss);
}

describe.skipIf(!CUDA)(`sampled batches on CUDA${CUDA ? '' : ' (skipped: no CUDA device or the addon was built without CUDA)'}`, () => {
  it.each(MODELS)('trains %s on CUDA, batches staged through the copy stream, to the losses of the CPU', async (_, make) => {
    const cpu = await losses(make, 'cpu');
    const cuda = await losses(make, 'cuda');
    expect(cuda.length).toBe(cpu.length);
    // f32 sums in another order on each device, over 6 epochs of Adam steps: well under 1e-3.
    cuda.forEach((l, e) => expect(Math.abs(l - cpu[e]!) / Math.abs(cpu[e]!)).toBeLessThan(1e-3));
  });
});
