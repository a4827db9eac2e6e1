// Compiled training steps on CUDA, plain replay against a captured CUDA Graph (fit's
// `compile: { cudaGraph: true }`): res-gcn with fixup blocks and dropout at several depths on a
// 64-node R-MAT graph (each kernel a few microseconds, so launches dominate) and on Cora. Per run:
// the median step time (fit's stepMs, which includes reading the loss, so GPU time too), whether
// the step ended captured and why not, and whether the losses of both runs are the same bits.
// Prints "no CUDA" and writes nothing without a GPU.
//   node bench/cuda-graph.bench.mjs [--quick] [--epochs 60] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as F from '../dist/esm/index.js';
import { machine, median } from './timing.mjs';

const { values: a } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, epochs: { type: 'string' }, out: { type: 'string' } },
});
const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const epochs = Number(a.epochs ?? (a.quick ? 20 : 60));
const depths = a.quick ? [16, 64] : [16, 64, 256];
const out = resolve(a.out ?? resolve(here, 'results', a.quick ? 'cuda-graph-quick.json' : 'cuda-graph.json'));
// Steps 1–3 eager or traced, step 4 captured: the median is taken after a few more.
const SKIP = 6;

if (!F.devices().cuda.available) {
  console.log('no CUDA: nothing measured');
  process.exit(0);
}

/** @param {F.NodeData} data @param {object} modelOptions @param {boolean | { cudaGraph: boolean }} compile */
async function run(data, modelOptions, compile) {
  const model = new F.ResGCN({ inChannels: data.numFeatures, outChannels: data.numClasses, device: 'cuda', ...modelOptions });
  try {
    const r = await F.fit(model, data, { epochs, patience: 0, lr: 0.01, restoreBest: false, checkFinite: false, compile });
    const steps = r.history.slice(SKIP).map((h) => h.stepMs);
    return {
      step_ms: median(steps),
      step_min_ms: Math.min(...steps),
      losses: r.history.map((h) => h.trainLoss),
      compiled: r.compiled?.train ?? false,
      cuda_graph: r.compiled?.cudaGraph ?? false,
      reason: r.compiled?.cudaGraphReason ?? r.compiled?.trainReason ?? null,
    };
  } finally {
    model.dispose();
  }
}

/** @param {string} name @param {F.NodeData} data @param {number[]} ds @param {object[]} rows */
async function compare(name, data, ds, rows) {
  for (const depth of ds) {
    const options = { hiddenChannels: 16, numLayers: depth, residual: 'fixup', dropout: 0.5, seed: 0 };
    const plain = await run(data, options, true);
    const graph = await run(data, options, { cudaGraph: true });
    const row = {
      graph: name,
      depth,
      plain_step_ms: +plain.step_ms.toFixed(3),
      graph_step_ms: +graph.step_ms.toFixed(3),
      speedup: +(plain.step_ms / graph.step_ms).toFixed(2),
      plain_min_ms: +plain.step_min_ms.toFixed(3),
      graph_min_ms: +graph.step_min_ms.toFixed(3),
      captured: graph.cuda_graph,
      reason: graph.reason,
      same_losses: JSON.stringify(plain.losses) === JSON.stringify(graph.losses),
    };
    rows.push(row);
    console.error(JSON.stringify(row));
  }
}

const results = {
  machine: machine(1),
  build: F.devices(),
  epochs,
  median_over: `steps ${SKIP + 1}-${epochs}`,
  synchronized: true,
  sync_method: 'fit ends each step by reading its loss (item), which waits for the device',
  rows: [],
};
{
  const g = F.datasets.rmatGraph({ numNodes: 64, numEdges: 256, numFeatures: 16, numClasses: 4, seed: 3 });
  const data = F.NodeData.from(g, { device: 'cuda' });
  await compare('rmat-64', data, depths, results.rows);
  data.dispose();
}
if (!a.quick) {
  const data = F.NodeData.from(F.datasets.loadDataset('cora', { normalizeFeatures: true }), { device: 'cuda' });
  await compare('cora', data, [64], results.rows);
  data.dispose();
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${out}`);
