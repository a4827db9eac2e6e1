// What a long run on a device relies on: the same seed gives bit-identical losses run to run,
// 1,000 training steps leave the live device memory where it was, and an allocation that does not
// fit is Fathom's OUT_OF_MEMORY error after which the process goes on training. Every case runs
// on the CPU and again on CUDA where a GPU answers (skipped with a message otherwise).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import * as F from '../../lib/index.js';
import { expectFathom } from '../helpers/apiFixtures.js';

const CUDA = F.devices().cuda.available;
const DEVICES: F.Device[] = ['cpu', 'cuda'];
const MB = 2 ** 20;

const graph = F.datasets.sbmGraph({ numNodes: 400, numEdges: 3200, numFeatures: 24, numClasses: 4, seed: 5 });

type Kind = 'gcn' | 'gat' | 'resgcn';
function makeModel(kind: Kind, device: F.Device, seed: number): F.NodeModel {
  const common = { inChannels: graph.numFeatures, outChannels: graph.numClasses, seed, device };
  if (kind === 'gcn') return new F.GCN({ ...common, hiddenChannels: 32, numLayers: 2, dropout: 0.5 });
  if (kind === 'gat') return new F.GAT({ ...common, hiddenChannels: 8, heads: 8, numLayers: 2, version: 'v1', dropout: 0.6 });
  return new F.ResGCN({ ...common, hiddenChannels: 16, numLayers: 8, residual: 'fixup', dropout: 0.5 });
}

/** Trains `epochs` epochs from `seed`; the per-epoch training losses and the final weights. */
async function train(kind: Kind, device: F.Device, seed: number, epochs: number) {
  using data = F.NodeData.from(graph, { device });
  using model = makeModel(kind, device, seed);
  const r = await F.fit(model, data, { epochs, lr: 0.01, weightDecay: 5e-4, patience: 0, restoreBest: false });
  const weights = model.parameters().map((p) => Array.from(p.toArray() as Float32Array));
  return { losses: r.history.map((h) => h.trainLoss), weights };
}

for (const device of DEVICES) {
  const skip = device === 'cuda' && !CUDA;
  const title = `on ${device}${skip ? ' (skipped: no CUDA device: devices().cuda.available is false)' : ''}`;

  describe.skipIf(skip)(`reliability ${title}`, () => {
    it.each<Kind>(['gcn', 'gat', 'resgcn'])('%s gives bit-identical losses and weights when run twice from the same seed', async (kind) => {
      const a = await train(kind, device, 0, 12);
      const b = await train(kind, device, 0, 12);
      expect(a.losses.every(Number.isFinite)).toBe(true);
      // Bit for bit: toEqual on numbers is Object.is, so no tolerance hides a race in a kernel.
      expect(b.losses).toEqual(a.losses);
      expect(b.weights).toEqual(a.weights);
      // The comparison can tell runs apart: another seed draws other weights and dropout masks.
      const c = await train(kind, device, 1, 3);
      expect(c.losses).not.toEqual(a.losses.slice(0, 3));
    });

    it('keeps live memory flat over 1,000 training steps', async () => {
      using data = F.NodeData.from(graph, { device });
      using model = makeModel('gcn', device, 0);
      const seen: Record<number, { bytes: number; tensors: number }> = {};
      const probe: F.Callback = {
        onEpochEnd: (ctx) => {
          if (ctx.epoch === 10 || ctx.epoch === 1000) seen[ctx.epoch] = { bytes: F.memory()[device].bytes, tensors: F.memory()[device].tensors };
        },
      };
      const r = await F.fit(model, data, { epochs: 1000, lr: 0.01, patience: 0, restoreBest: false, callbacks: [probe] });
      expect(r.history.length).toBe(1000);
      // From epoch 10 on, the optimizer's state and the compiled step exist; every later step
      // frees what it allocates. A leak of one small tensor per step would add 990 tensors.
      expect(seen[1000]!.tensors).toBe(seen[10]!.tensors);
      expect(Math.abs(seen[1000]!.bytes - seen[10]!.bytes)).toBeLessThanOrEqual(64 * 1024);
    });

    describe('out of memory', () => {
      let saved: F.MemoryLimit;
      beforeEach(() => {
        saved = F.getMemoryLimit();
      });
      afterEach(() => {
        F.setMemoryLimit(saved);
      });

      it('refuses a tensor past the memory budget with OUT_OF_MEMORY, then trains as before', async () => {
        const live = F.memory()[device].bytes;
        F.setMemoryLimit({ [device]: live + 64 * MB });
        expectFathom(() => F.Tensor.zeros([32 * MB], { device }), 'OUT_OF_MEMORY', `could not allocate ${128 * MB} bytes on ${device}`);
        expect(F.memory()[device].bytes).toBe(live);
        F.setMemoryLimit(saved);
        const after = await train('gcn', device, 0, 3);
        const fresh = await train('gcn', device, 0, 3);
        expect(after.losses).toEqual(fresh.losses);
      });

      it.skipIf(device === 'cpu')('refuses a tensor larger than the GPU itself with OUT_OF_MEMORY, then trains as before (CUDA only)', async () => {
        F.setMemoryLimit({ cuda: Infinity });
        const total = F.devices().cuda.devices[0]!.totalMemory;
        const live = F.memory().cuda.bytes;
        // Twice the device's memory in f32 elements: no allocator can serve it.
        const elements = Math.ceil((2 * total) / 4 / 1024);
        expectFathom(() => F.Tensor.zeros([elements, 1024], { device: 'cuda' }), 'OUT_OF_MEMORY', 'could not allocate', 'bytes on GPU 0');
        expect(F.memory().cuda.bytes).toBe(live);
        const x = F.Tensor.from([1, 2, 3, 4], [2, 2], { device: 'cuda' });
        expect(Array.from(F.tidy(() => F.matmul(x, x).toArray()))).toEqual([7, 10, 15, 22]);
        x.dispose();
        const { losses } = await train('gat', 'cuda', 0, 3);
        expect(losses.every(Number.isFinite)).toBe(true);
      });
    });
  });
}
