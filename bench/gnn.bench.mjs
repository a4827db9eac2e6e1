// SpMM and GCN training-epoch timings on Cora and on a generated R-MAT graph
// (default 1M nodes, 10M directed edges, F = 64). Medians over repeats; JSON to
// bench/results/gnn-<device>.json. On CUDA every timer is fenced by synchronize('cuda') (see
// bench/timing.mjs), so a time is the kernels' work, not their launch. Usage:
//   node bench/gnn.bench.mjs [--device cpu|cuda] [--threads N] [--nodes N] [--edges E] [--repeats R]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as F from '../dist/esm/index.js';
import { deviceSync, machine, time } from './timing.mjs';

const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    threads: { type: 'string' },
    nodes: { type: 'string', default: '1000000' },
    edges: { type: 'string', default: '10000000' },
    repeats: { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const device = F.resolveDevice(/** @type {F.Device | 'auto'} */ (args.device));
if (args.threads) F.setNumThreads(Number(args.threads));
const threads = F.devices().cpu.threads;
const repeats = Number(args.repeats);
const fence = deviceSync(F, device);

/**
 * @param {F.Graph} graph
 * @param {Float32Array} features
 */
function spmmCase(graph, features) {
  const op = graph.operator('gcn', { device });
  return F.tidy(() => {
    const x = F.Tensor.from(features, [graph.numNodes, features.length / graph.numNodes], { device });
    const t = time(() => F.tidy(() => F.propagate(op, x).dispose()), { repeats, sync: fence.sync });
    // Bytes the op must move at least: CSR (rowptr + col + values) once, X gathered once per
    // nonzero (upper bound for no reuse) is not a floor; the floor reads X and writes Y once.
    const f = features.length / graph.numNodes;
    const floorBytes = (graph.numNodes + 1) * 4 + op.nnz * 8 + 2 * graph.numNodes * f * 4;
    return { ...t, nnz: op.nnz, features: f, floor_bytes: floorBytes, gbytes_per_s_at_floor: floorBytes / (t.median_ms * 1e6) };
  });
}

/**
 * @param {F.datasets.GraphData} dataset
 * @param {number} hidden
 * @param {number} layers
 */
async function epochCase(dataset, hidden, layers) {
  const data = F.NodeData.from(dataset, { device });
  const model = new F.GCN({ inChannels: dataset.numFeatures, hiddenChannels: hidden, outChannels: dataset.numClasses, numLayers: layers, seed: 0, device });
  try {
    // fit's stepMs starts after onStepStart (which waits for the device here) and ends after the
    // step's loss.item(), a device-to-host copy that waits for every kernel queued before it.
    const fenceStart = { onStepStart: () => fence.sync() };
    const r = await F.fit(model, data, { epochs: repeats + 2, lr: 0.01, weightDecay: 5e-4, patience: 0, callbacks: [fenceStart] });
    const steps = r.history.slice(2).map((h) => h.stepMs);
    return { median_ms: F_median(steps), min_ms: Math.min(...steps), repeats: steps.length, hidden, layers };
  } finally {
    model.dispose();
    data.dispose();
  }
}
const F_median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * @type {{
 *   machine: ReturnType<typeof machine>; device: F.Device; build: ReturnType<typeof F.devices>; synchronized: boolean; sync_method: string;
 *   cases: Record<string, { median_ms: number }>; graph?: object;
 * }}
 */
const results = {
  machine: machine(threads),
  device,
  build: F.devices(),
  synchronized: fence.synchronized,
  sync_method: `SpMM: ${fence.sync_method}; epochs: fit's stepMs, started after synchronize in onStepStart, ended by the step's loss.item() (a device-to-host copy that waits for the device)`,
  cases: {},
};
/**
 * @param {string} name
 * @param {{ median_ms: number }} r
 */
const log = (name, r) => {
  results.cases[name] = r;
  console.error(`${name.padEnd(34)} median ${r.median_ms.toFixed(2)} ms`);
};

const cora = F.datasets.loadDataset('cora', { normalizeFeatures: true });
/**
 * @template T
 * @param {F.datasets.GraphData} d
 * @param {(g: F.Graph) => T} fn
 */
const withGraph = (d, fn) => {
  const g = F.Graph.fromEdgeIndex(d.edgeIndex, { numNodes: d.numNodes });
  try {
    return fn(g);
  } finally {
    g.dispose();
  }
};
log(
  'cora.spmm.f32x64',
  withGraph(cora, (g) =>
    spmmCase(
      g,
      new Float32Array(cora.numNodes * 64).map((_, i) => Math.sin(i)),
    ),
  ),
);
log('cora.gcn2.epoch', await epochCase(cora, 64, 2));

const n = Number(args.nodes);
const e = Number(args.edges);
const t0 = performance.now();
const big = F.datasets.rmatGraph({ numNodes: n, numEdges: e, numFeatures: 64, numClasses: 16, seed: 1 });
console.error(`generated R-MAT ${n} nodes / ${e} edges in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
log(
  'rmat.spmm.f32x64',
  withGraph(big, (g) => spmmCase(g, big.x)),
);
log('rmat.gcn2.epoch', await epochCase(big, 64, 2));
results.graph = { nodes: n, edges: e, generator: 'rmat', features: 64 };

const out = args.out ?? join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'results', `gnn-${device}.json`);
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.error(`wrote ${out}`);
