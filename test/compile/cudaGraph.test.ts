// Compiled steps captured as CUDA Graphs (fit({ compile: { cudaGraph: true } })): on a GPU, the
// captured training step gives the plain replay's losses and weights bit for bit (both run the
// same kernels on the same device), dropout of every kind included (dense, on sparse input
// features, GAT's attention dropout: their seeds are per-step scalars read on the device). A
// capture the runtime refuses is pinned by native/tests/cuda/cuda_graph.cc. Without a GPU the
// CUDA part is skipped; the CPU behaviour is pinned in compiledFit.test.ts.
import { describe, expect, it } from 'vitest';

import { buildModel, devices, type FitOptions, fit, NodeData } from '../../lib/index.js';
import type { ModelSpec } from '../../lib/models/modelEntry.js';
import { smallSbm } from '../helpers/apiFixtures.js';

const CUDA = devices().cuda.available;

async function trainOnGpu(spec: Omit<ModelSpec, 'seed'>, compile: FitOptions['compile'], sparseFeatures: boolean | 'auto' = 'auto') {
  using data = NodeData.from(smallSbm(), { device: 'cuda', sparseFeatures });
  using model = buildModel({ seed: 3, ...spec } as ModelSpec, { inChannels: data.numFeatures, outChannels: data.numClasses, device: 'cuda' });
  const result = await fit(model, data, { epochs: 20, patience: 0, lr: 0.01, restoreBest: false, compile });
  const weights = JSON.stringify(model.parameters().map((p) => Array.from(p.toArray())));
  return { losses: result.history.map((h) => h.trainLoss), weights, compiled: result.compiled };
}

describe.skipIf(!CUDA)(`CUDA Graphs of compiled steps${CUDA ? '' : ' (skipped: no CUDA device or the addon was built without CUDA)'}`, () => {
  for (const spec of [
    { model: 'gcn', dropout: 0.5 },
    { model: 'res-gcn', layers: 8, dropout: 0.5 },
    { model: 'gin', trainEps: true },
    // Attention dropout: its seed is a per-step scalar read on the device (gat_forward_dev).
    { model: 'gat', dropout: 0.5 },
    { model: 'gatv2', dropout: 0.5 },
  ] as const) {
    it(`give ${spec.model} the plain replay's losses and weights, bit for bit, from a captured graph`, async () => {
      const plain = await trainOnGpu(spec, true);
      const graph = await trainOnGpu(spec, { cudaGraph: true });
      expect(graph.compiled?.cudaGraphReason ?? null).toBeNull();
      expect(graph.compiled?.cudaGraph).toBe(true);
      expect(graph.losses).toEqual(plain.losses);
      expect(graph.weights === plain.weights).toBe(true);
    });
  }

  it("give gcn on sparse input features (dropout on the feature CSR's values) the plain replay's losses, bit for bit, from a captured graph", async () => {
    const plain = await trainOnGpu({ model: 'gcn', dropout: 0.5 }, true, true);
    const graph = await trainOnGpu({ model: 'gcn', dropout: 0.5 }, { cudaGraph: true }, true);
    expect(graph.compiled?.cudaGraphReason ?? null).toBeNull();
    expect(graph.compiled?.cudaGraph).toBe(true);
    expect(graph.losses).toEqual(plain.losses);
    expect(graph.weights === plain.weights).toBe(true);
  });
});
