// Host cost per residual block, eager against compiled training steps (fit's `compile`), one
// thread. (a) A 64-node R-MAT graph, hidden 16: every kernel takes about a microsecond, so the
// step time per block is the per-op cost of JavaScript, N-API and dispatch (eager) or of the
// native replay (compiled). fixup and reversible blocks at depths 64, 256 and 1000. (b) Cora:
// res-gcn with 64 fixup blocks and 1000 reversible blocks, step time and native peak bytes of a
// training step, eager against compiled. With --device cuda the same runs train on the GPU: each
// step starts after synchronize('cuda') (an onStepStart callback) and ends with the step's
// loss.item(), a device-to-host copy that waits for every queued kernel; peaks are device bytes.
//   OMP_NUM_THREADS=1 node bench/host-cost.bench.mjs [--device cpu|cuda] [--quick] [--epochs 40] [--no-cora] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as F from '../dist/esm/index.js';
import { deviceSync, machine, median } from './timing.mjs';

const { values: a } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    quick: { type: 'boolean', default: false },
    epochs: { type: 'string' },
    'no-cora': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const epochs = Number(a.epochs ?? (a.quick ? 12 : 40));
const depths = a.quick ? [16, 64] : [64, 256, 1000];
const device = /** @type {F.Device} */ (a.device);
if (device !== 'cpu' && device !== 'cuda') throw new RangeError(`host-cost.bench: --device must be cpu or cuda, got '${a.device}'`);
if (device === 'cuda') F.resolveDevice('cuda'); // says why when there is no usable GPU
const fence = deviceSync(F, device);
const out = resolve(a.out ?? resolve(here, 'results', a.quick ? `host-cost-${device}-quick.json` : `host-cost-${device}.json`));
F.setNumThreads(1);
// Steps 1–3 run eagerly or traced; compiled steps replay from step 4 on. The median is taken
// over the steps after a few more, for both modes alike.
const SKIP = 6;

/**
 * Trains `epochs` epochs and returns the median training-step time (fit's stepMs), the median
 * epoch time (step, evaluation and bookkeeping) and whether the step ended compiled.
 * @param {F.NodeData} data @param {object} modelOptions @param {boolean} compile @param {number} n
 */
async function run(data, modelOptions, compile, n) {
  const model = new F.ResGCN({ inChannels: data.numFeatures, outChannels: data.numClasses, ...modelOptions, device });
  /** @type {number[]} */
  const stamps = [];
  try {
    const r = await fit(model, data, n, compile, () => stamps.push(performance.now()));
    const steps = r.history.slice(SKIP).map((h) => h.stepMs);
    const epochsMs = stamps.slice(SKIP + 1).map((t, i) => t - stamps[SKIP + i]);
    return {
      step_ms: median(steps),
      step_min_ms: Math.min(...steps),
      epoch_ms: median(epochsMs),
      compiled: r.compiled?.train ?? false,
      reason: r.compiled?.trainReason ?? null,
    };
  } finally {
    model.dispose();
  }
}

/** @param {F.NodeModel} model @param {F.NodeData} data @param {number} n @param {boolean} compile @param {() => void} onEpoch */
function fit(model, data, n, compile, onEpoch) {
  // fit's stepMs starts after onStepStart, which waits for the device here.
  const callbacks = [{ onStepStart: () => fence.sync() }];
  return F.fit(model, data, { epochs: n, patience: 0, lr: 0.01, restoreBest: false, checkFinite: false, compile, onEpoch, callbacks });
}

/**
 * Native peak bytes of one training step after `warm` steps (compiled: replayed).
 * @param {F.NodeData} data @param {object} modelOptions @param {boolean} compile @param {number} warm
 */
async function peakOfStep(data, modelOptions, compile, warm) {
  const model = new F.ResGCN({ inChannels: data.numFeatures, outChannels: data.numClasses, ...modelOptions, device });
  try {
    let peak = 0;
    await F.fit(model, data, {
      epochs: warm + 1,
      patience: 0,
      lr: 0.01,
      restoreBest: false,
      checkFinite: false,
      compile,
      callbacks: [
        {
          onStepStart: (ctx) => {
            if (ctx.epoch === warm + 1) F.resetPeakMemory();
          },
          onStepEnd: (ctx) => {
            if (ctx.epoch === warm + 1) peak = F.memory()[device].peakBytes;
          },
        },
      ],
    });
    return peak;
  } finally {
    model.dispose();
  }
}

/** @type {{ machine: object; build: object; device: F.Device; synchronized: boolean; sync_method: string; epochs: number; median_over: string; tiny: { graph: object; hidden: number; rows: object[] }; cora: { hidden: number; epochs: number; rows: object[] } | null }} */
const results = {
  machine: { ...machine(1), omp_num_threads: process.env.OMP_NUM_THREADS ?? null, load_average_at_start: os.loadavg().map((v) => +v.toFixed(2)) },
  build: F.devices(),
  device,
  synchronized: fence.synchronized,
  sync_method: `fit's stepMs, started after ${fence.sync_method.split(' (')[0]} in onStepStart and ended by the step's loss.item() (a device-to-host copy that waits for the device)`,
  epochs,
  median_over: `epochs ${SKIP + 1}–${epochs}`,
  tiny: { graph: { generator: 'rmatGraph', nodes: 64, edges: 256, features: 16, classes: 4, seed: 3 }, hidden: 16, rows: [] },
  cora: null,
};

{
  const g = F.datasets.rmatGraph({ numNodes: 64, numEdges: 256, numFeatures: 16, numClasses: 4, seed: 3 });
  const data = F.NodeData.from(g, { device });
  for (const residual of ['fixup', 'reversible']) {
    for (const depth of depths) {
      const options = { hiddenChannels: 16, numLayers: depth, residual, dropout: 0.5, seed: 0 };
      const eager = await run(data, options, false, epochs);
      const compiled = await run(data, options, true, epochs);
      const row = {
        residual,
        depth,
        eager_us_per_block: +((1000 * eager.step_ms) / depth).toFixed(2),
        compiled_us_per_block: +((1000 * compiled.step_ms) / depth).toFixed(2),
        speedup: +(eager.step_ms / compiled.step_ms).toFixed(2),
        // The fastest step: the least disturbed by other work on a shared machine.
        eager_min_us_per_block: +((1000 * eager.step_min_ms) / depth).toFixed(2),
        compiled_min_us_per_block: +((1000 * compiled.step_min_ms) / depth).toFixed(2),
        eager_epoch_us_per_block: +((1000 * eager.epoch_ms) / depth).toFixed(2),
        compiled_epoch_us_per_block: +((1000 * compiled.epoch_ms) / depth).toFixed(2),
        compiled: compiled.compiled,
        fallback: compiled.reason,
      };
      results.tiny.rows.push(row);
      console.error(JSON.stringify(row));
    }
  }
  data.dispose();
}

if (!a['no-cora'] && !a.quick) {
  const cora = F.datasets.loadDataset('cora', { normalizeFeatures: true });
  const data = F.NodeData.from(cora, { device });
  results.cora = { hidden: 64, epochs: 12, rows: [] };
  for (const [residual, depth] of [
    ['fixup', 64],
    ['reversible', 1000],
  ]) {
    const options = { hiddenChannels: 64, numLayers: depth, residual, dropout: 0.5, seed: 0 };
    const n = SKIP + 6;
    const eager = await run(data, options, false, n);
    const compiled = await run(data, options, true, n);
    const row = {
      residual,
      depth,
      eager_step_ms: +eager.step_ms.toFixed(1),
      compiled_step_ms: +compiled.step_ms.toFixed(1),
      speedup: +(eager.step_ms / compiled.step_ms).toFixed(2),
      eager_peak_mb: +((await peakOfStep(data, options, false, 4)) / 2 ** 20).toFixed(1),
      compiled_peak_mb: +((await peakOfStep(data, options, true, 4)) / 2 ** 20).toFixed(1),
      compiled: compiled.compiled,
    };
    results.cora.rows.push(row);
    console.error(JSON.stringify(row));
  }
  data.dispose();
}

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.error(`wrote ${out}`);
