// Training at scale on one machine, with the resident memory of every stage.
//   sage:   an R-MAT graph (default 10M nodes, 100M directed edges, 64 features), a 2-layer
//           GraphSAGE on neighbour-sampled batches (fanouts 15,10, batch 1024) for --batches
//           batches; the seeds are the first batches × batch-size training nodes.
//   resgcn: see bench/README.md (a deep res-gcn on partition batches against full batch).
// Run under /usr/bin/time -v for the process's peak RSS (Maximum resident set size):
//   nice /usr/bin/time -v node bench/scale.bench.mjs --case sage [--nodes N] [--edges E]
//     [--features 64] [--batches 20] [--out FILE]
// Each stage reports its wall time, the RSS after it (process.memoryUsage) and the live and peak
// native tensor bytes (memory().cpu); the JSON goes to bench/results/scale-cpu.json, merged by case.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as F from '../dist/esm/index.js';
import { machine, median } from './timing.mjs';

const { values: a } = parseArgs({
  options: {
    case: { type: 'string', default: 'sage' },
    nodes: { type: 'string' },
    edges: { type: 'string' },
    features: { type: 'string', default: '64' },
    batches: { type: 'string', default: '20' },
    'batch-size': { type: 'string', default: '1024' },
    fanouts: { type: 'string', default: '15,10' },
    mode: { type: 'string', default: 'partition' },
    blocks: { type: 'string', default: '64' },
    residual: { type: 'string', default: 'fixup' },
    'checkpoint-every': { type: 'string' },
    parts: { type: 'string', default: '100' },
    'parts-per-batch': { type: 'string', default: '2' },
    steps: { type: 'string', default: '3' },
    label: { type: 'string' },
    out: { type: 'string' },
  },
});
const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const out = resolve(a.out ?? resolve(here, 'results', 'scale-cpu.json'));
const numFeatures = Number(a.features);
const numClasses = 16;
/** @param {number} bytes */
const mb = (bytes) => +(bytes / 2 ** 20).toFixed(1);

/** @type {{ stage: string; seconds: number; rss_mb: number; native_live_mb: number; native_peak_mb: number }[]} */
const stages = [];
let last = performance.now();
/** Records a finished stage: its wall time since the previous one and the memory now. @param {string} stage */
function mark(stage) {
  const now = performance.now();
  const m = F.memory().cpu;
  const row = {
    stage,
    seconds: +((now - last) / 1000).toFixed(2),
    rss_mb: mb(process.memoryUsage().rss),
    native_live_mb: mb(m.bytes),
    native_peak_mb: mb(m.peakBytes),
  };
  stages.push(row);
  console.error(`${stage}: ${row.seconds} s, RSS ${row.rss_mb} MB, native live ${row.native_live_mb} MB (peak ${row.native_peak_mb} MB)`);
  last = now;
}

/** Rows `ids` of the host features as a tensor: what fit()'s batch steps gather. @param {Float32Array} host @param {Int32Array} ids */
function rows(host, ids) {
  const x = new Float32Array(ids.length * numFeatures);
  ids.forEach((v, i) => x.set(host.subarray(v * numFeatures, (v + 1) * numFeatures), i * numFeatures));
  return F.Tensor.from(x, [ids.length, numFeatures]);
}

/** @param {Int32Array} labels @param {Int32Array} ids @param {number} count */
function labelsOf(labels, ids, count) {
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = labels[ids[i]];
  return F.Tensor.from(y, [count]);
}

async function sageCase() {
  const numNodes = Number(a.nodes ?? 10_000_000);
  const numEdges = Number(a.edges ?? 100_000_000);
  const numBatches = Number(a.batches);
  const batchSize = Number(a['batch-size']);
  const fanouts = a.fanouts.split(',').map(Number);
  const g = F.datasets.rmatGraph({ numNodes, numEdges, numFeatures, numClasses, seed: 1 });
  mark('rmatGraph');
  const data = F.NodeData.from(g, { sparseFeatures: false });
  mark('NodeData.from');
  // The generator's feature array is the host copy the batches gather from; its edge list is
  // no longer needed once the graph holds its CSR.
  const host = g.x;
  const labels = g.y;
  g.edgeIndex = new Int32Array(0);
  const trainIds = new Int32Array(numBatches * batchSize);
  for (let i = 0, k = 0; k < trainIds.length; i++) if (g.trainMask[i]) trainIds[k++] = i;
  const loader = F.neighborLoader({ graph: data.graph, nodes: trainIds, fanouts, batchSize, shuffle: true, seed: 0 });
  mark('neighborLoader');
  const sage = new F.GraphSAGE({ inChannels: numFeatures, hiddenChannels: 64, outChannels: numClasses, numLayers: 2, seed: 0 });
  const opt = new F.Adam(sage.parameters(), { lr: 0.01, weightDecay: 5e-4 });
  sage.train();
  /** @type {number[]} */
  const stepMs = [];
  /** @type {number[]} */
  const sampled = [];
  const losses = [];
  let wait = 0;
  let t = performance.now();
  for await (const batch of loader.batches(1)) {
    wait += performance.now() - t;
    const t0 = performance.now();
    const x = rows(host, batch.nodeIds);
    try {
      losses.push(
        F.tidy(() => {
          const loss = F.nllLoss(F.logSoftmax(sage.forwardBlocks(x, batch.blocks)), labelsOf(labels, batch.nodeIds, batch.batchSize));
          F.backward(loss);
          opt.step();
          opt.zeroGrad();
          return loss.item();
        }),
      );
    } finally {
      x.dispose();
    }
    sampled.push(batch.nodeIds.length);
    batch.dispose();
    t = performance.now();
    stepMs.push(t - t0);
  }
  mark(`${numBatches} SAGE steps`);
  loader.dispose();
  opt.dispose();
  sage.dispose();
  data.dispose();
  return {
    graph: { generator: 'rmatGraph', nodes: numNodes, edges: numEdges, features: numFeatures, classes: numClasses, seed: 1 },
    model: 'GraphSAGE, 2 layers, hidden 64, mean aggregation, Adam',
    fanouts,
    batch_size: batchSize,
    batches: numBatches,
    sampled_nodes_per_batch_median: median(sampled),
    step_ms_median: +median(stepMs).toFixed(1),
    loader_wait_ms_total: +wait.toFixed(1),
    loss_first_last: [losses[0], losses[losses.length - 1]],
  };
}

/** Native tensor bytes of one step: its peak over what was live before it, and the absolute peak. @param {() => number} step */
function peakOf(step) {
  F.resetPeakMemory();
  const before = F.memory().cpu.bytes;
  const t = performance.now();
  const loss = step();
  const ms = performance.now() - t;
  const peak = F.memory().cpu.peakBytes;
  return { loss, ms: +ms.toFixed(0), step_peak_mb: mb(peak - before), peak_mb: mb(peak), live_before_mb: mb(before) };
}

// A deep res-gcn (default 64 fixup blocks, hidden 64) on a symmetric R-MAT graph (default 1M
// nodes, 10M directed edges): --mode partition (random parts), metis (METIS parts), or full
// (full-batch steps; --blocks and --checkpoint-every size what fits). --steps steps, each
// measured alone.
async function resgcnCase() {
  const numNodes = Number(a.nodes ?? 1_000_000);
  const numEdges = Number(a.edges ?? 10_000_000);
  const blocks = Number(a.blocks);
  const steps = Number(a.steps);
  const mode = a.mode;
  if (!['partition', 'metis', 'full'].includes(mode)) throw new RangeError(`scale.bench: --mode must be partition, metis or full, got ${mode}`);
  const checkpointEvery = a['checkpoint-every'] === undefined ? undefined : Number(a['checkpoint-every']);
  const g = F.datasets.rmatGraph({ numNodes, numEdges, numFeatures, numClasses, seed: 1, symmetric: true });
  mark('rmatGraph');
  const data = F.NodeData.from(g, { sparseFeatures: false });
  g.edgeIndex = new Int32Array(0);
  mark('NodeData.from');
  const res = new F.ResGCN({
    inChannels: numFeatures,
    hiddenChannels: 64,
    outChannels: numClasses,
    numLayers: blocks,
    residual: /** @type {F.ResGCNOptions['residual']} */ (a.residual),
    checkpointEvery,
    seed: 0,
  });
  const opt = new F.Adam(res.parameters(), { lr: 0.01, weightDecay: 5e-4 });
  res.train();
  /** @type {ReturnType<typeof peakOf>[]} */
  const measured = [];
  /** @type {Record<string, unknown>} */
  const extra = {};
  if (mode === 'full') {
    const step = () =>
      F.tidy(() => {
        const loss = F.nllLoss(F.logSoftmax(res.forward(data.features, data.graph)), data.y, data.trainMask);
        F.backward(loss);
        opt.step();
        opt.zeroGrad();
        return loss.item();
      });
    for (let s = 0; s < steps; s++) measured.push(peakOf(step));
    mark(`${steps} full-batch steps`);
  } else {
    const host = g.x;
    const parts = F.partitionLoader({
      data,
      numParts: Number(a.parts),
      partsPerBatch: Number(a['parts-per-batch']),
      method: mode === 'metis' ? 'metis' : 'random',
      seed: 0,
    });
    const it = parts.batches(1)[Symbol.iterator]();
    mark(`partitionLoader (${mode})`);
    /** @type {number[]} */
    const batchNodes = [];
    /** @type {number[]} */
    const batchEdges = [];
    for (let s = 0; s < steps; s++) {
      const next = it.next();
      if (next.done) break;
      const pb = next.value;
      const x = rows(host, pb.nodeIds);
      const y = labelsOf(g.y, pb.nodeIds, pb.numNodes);
      const mask = F.Tensor.from(
        Uint8Array.from(pb.nodeIds, (v) => g.trainMask[v]),
        [pb.numNodes],
      );
      measured.push(
        peakOf(() =>
          F.tidy(() => {
            const loss = F.nllLoss(F.logSoftmax(res.forward(x, pb.graph)), y, mask);
            F.backward(loss);
            opt.step();
            opt.zeroGrad();
            return loss.item();
          }),
        ),
      );
      batchNodes.push(pb.numNodes);
      batchEdges.push(pb.graph.numEdges);
      for (const t of [x, y, mask, pb]) t.dispose();
    }
    mark(`${measured.length} partition-batch steps`);
    parts.dispose();
    Object.assign(extra, {
      parts: Number(a.parts),
      parts_per_batch: Number(a['parts-per-batch']),
      method: mode === 'metis' ? 'metis' : 'random',
      batch_nodes: batchNodes,
      batch_edges: batchEdges,
    });
  }
  opt.dispose();
  res.dispose();
  data.dispose();
  return {
    graph: { generator: 'rmatGraph', nodes: numNodes, edges: numEdges, symmetric: true, features: numFeatures, classes: numClasses, seed: 1 },
    model: `ResGCN, ${blocks} ${a.residual} blocks, hidden 64${checkpointEvery ? `, activations checkpointed every ${checkpointEvery} blocks` : ''}, Adam`,
    mode,
    blocks,
    residual: a.residual,
    checkpoint_every: checkpointEvery ?? null,
    ...extra,
    steps: measured,
    step_peak_mb_max: Math.max(...measured.map((m) => m.step_peak_mb)),
    step_ms_median: median(measured.map((m) => m.ms)),
  };
}

/** @type {Record<string, () => Promise<Record<string, unknown>>>} */
const cases = { sage: sageCase, resgcn: resgcnCase };
const run = cases[a.case];
if (!run) throw new RangeError(`scale.bench: --case must be one of ${Object.keys(cases).join(', ')}, got ${a.case}`);
const t0 = performance.now();
const result = await run();
const key = a.label ?? a.case;
const record = {
  ...result,
  stages,
  wall_s: +((performance.now() - t0) / 1000).toFixed(1),
  peak_rss_mb: mb(process.resourceUsage().maxRSS * 1024),
  machine: {
    ...machine(F.devices().cpu.threads),
    load_average_at_end: os.loadavg().map((v) => +v.toFixed(2)),
    free_memory_gb_at_end: +(os.freemem() / 2 ** 30).toFixed(1),
  },
  build: F.devices(),
};
const all = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
all[key] = record;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(all, null, 2)}\n`);
console.error(`${key}: wall ${record.wall_s} s, peak RSS ${record.peak_rss_mb} MB -> ${out}`);
