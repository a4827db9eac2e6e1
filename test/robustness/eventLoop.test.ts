// fit() and the event loop: it yields after every training step and every evaluation, so
// the longest stall is one of those, never a whole run. Measured with
// perf_hooks.monitorEventLoopDelay on Cora with a 64-layer GCN.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadDataset } from '../../lib/data/loadDataset.js';
import { GCN, NodeData, devices, fit, setNumThreads, type FitResult } from '../../lib/index.js';

// One thread: on a machine whose cores are busy, OpenMP threads wait on each other and a
// 64-layer step takes seconds instead of a fraction of one; the stall bound is relative
// to the step either way.
const defaultThreads = devices().cpu.threads;
beforeAll(() => setNumThreads(1));
afterAll(() => setNumThreads(defaultThreads));

/** Trains a 64-layer GCN on Cora and returns the event-loop delay histogram (ms) and the run. */
async function measure(epochs: number): Promise<{ p99: number; max: number; result: FitResult }> {
  const cora = loadDataset('cora', { normalizeFeatures: true });
  using data = NodeData.from(cora);
  using model = new GCN({ inChannels: cora.numFeatures, hiddenChannels: 16, outChannels: cora.numClasses, numLayers: 64, seed: 0 });
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const result = await fit(model, data, { epochs, patience: 0 });
  h.disable();
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6, result };
}

describe('fit and the event loop', () => {
  it('never stalls the event loop for much longer than one training step', async () => {
    const { max, result } = await measure(3);
    const longestStep = Math.max(...result.history.map((r) => r.stepMs));
    // A stall is one step or one evaluation (a cheaper forward pass), plus scheduling noise
    // on a shared machine. Relative to the measured step, so machine load cannot flake it;
    // a fit() that ran two epochs between yields would exceed it.
    expect(max).toBeLessThan(1.5 * longestStep + 50);
  });

  // The absolute acceptance bound: p99 under 100 ms. Needs a machine with a free core
  // (a 64-layer step on Cora then takes well under 100 ms); opt in with FATHOM_ACCEPTANCE=1.
  it.runIf(process.env.FATHOM_ACCEPTANCE === '1')('keeps the p99 event-loop delay below 100 ms (acceptance)', async () => {
    const { p99 } = await measure(20);
    console.log(`event-loop delay p99 during fit (64-layer GCN, Cora): ${p99.toFixed(1)} ms`);
    expect(p99).toBeLessThan(100);
  });
});
