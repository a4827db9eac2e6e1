// Mini-batch training on a generated SBM graph, one thread: (a) sampled nodes per second of the
// neighbour sampler (sync, and sampleAsync awaited one at a time); (b) a GraphSAGE step on
// sampled batches with the loader prefetching the next batch (as fit() runs it) against the same
// steps on batches sampled beforehand: the ratio says whether sampling keeps up; (c) native peak
// tensor bytes of one sampled step, one partition-batch step of a 16-block res-gcn, and the
// full-batch steps they replace; (d) a GAT step on sampled blocks (Cora and the SBM): time and
// native peak (--only gat runs this part alone).
//   OMP_NUM_THREADS=1 node bench/minibatch.bench.mjs [--quick] [--nodes 200000] [--edges 2000000]
//     [--features 64] [--batches 16] [--repeats 7] [--only gat] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as F from '../dist/esm/index.js';
import { machine, median } from './timing.mjs';

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    nodes: { type: 'string' },
    edges: { type: 'string' },
    features: { type: 'string', default: '64' },
    batches: { type: 'string' },
    repeats: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const numNodes = Number(a.nodes ?? (a.quick ? 20_000 : 200_000));
const numEdges = Number(a.edges ?? (a.quick ? 200_000 : 2_000_000));
const numFeatures = Number(a.features);
const numBatches = Number(a.batches ?? (a.quick ? 4 : 16));
const repeats = Number(a.repeats ?? (a.quick ? 2 : 7));
if (a.only !== undefined && a.only !== 'gat') throw new RangeError(`minibatch.bench: --only takes 'gat', got '${a.only}'`);
const gatOnly = a.only === 'gat';
const outName = `minibatch${gatOnly ? '-gat' : ''}-cpu${a.quick ? '-quick' : ''}.json`;
const out = resolve(a.out ?? resolve(here, 'results', outName));
const fanouts = [25, 10];
const batchSize = 1024;
const numClasses = 16;
F.setNumThreads(1);

const t0 = performance.now();
const g = F.datasets.sbmGraph({ numNodes, numEdges, numFeatures, numClasses, seed: 1 });
const data = F.NodeData.from(g);
console.error(`SBM ${numNodes} nodes / ${numEdges} edges / ${numFeatures} features in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const host = /** @type {Float32Array} */ (data.x.toArray());
const trainIds = Int32Array.from(Array.from(data.masks.train, (m, i) => (m ? i : -1)).filter((i) => i >= 0)).subarray(0, numBatches * batchSize);
if (trainIds.length < numBatches * batchSize)
  throw new RangeError(`minibatch.bench: ${numBatches} batches of ${batchSize} need more training nodes than ${trainIds.length}`);
/** @param {number} b */
const seedsOf = (b) => trainIds.subarray(b * batchSize, (b + 1) * batchSize);

/** The 1, 5 and 15 minute load averages: the machine is shared. */
const loadAverage = () => os.loadavg().map((v) => +v.toFixed(2));

/** @param {Int32Array} ids */
function rows(ids) {
  const x = new Float32Array(ids.length * numFeatures);
  ids.forEach((v, i) => x.set(host.subarray(v * numFeatures, (v + 1) * numFeatures), i * numFeatures));
  return F.Tensor.from(x, [ids.length, numFeatures]);
}
/** @param {Int32Array} ids @param {number} count */
function labels(ids, count) {
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = data.labels[ids[i]];
  return F.Tensor.from(y, [count]);
}

/** @type {Record<string, unknown>} */
const results = {
  machine: { ...machine(1), omp_num_threads: process.env.OMP_NUM_THREADS ?? null, load_average_at_start: loadAverage() },
  build: F.devices(),
  graph: { generator: 'sbmGraph', nodes: numNodes, edges: numEdges, features: numFeatures, classes: numClasses, seed: 1 },
  fanouts,
  batch_size: batchSize,
  batches_per_repeat: numBatches,
  repeats,
};

// (a) Sampler throughput.
if (!gatOnly) {
  const sampler = new F.NeighborSampler(data.graph, { fanouts });
  /** @type {{ sync: number[]; async: number[] }} */
  const rates = { sync: [], async: [] };
  let sampled = 0;
  for (let r = -1; r < repeats; r++) {
    let n = 0;
    let t = performance.now();
    for (let b = 0; b < numBatches; b++) {
      const batch = sampler.sample(seedsOf(b), { seed: r + 1, batch: b });
      n += batch.nodeIds.length;
      batch.dispose();
    }
    if (r >= 0) rates.sync.push(n / ((performance.now() - t) / 1000));
    n = 0;
    t = performance.now();
    for (let b = 0; b < numBatches; b++) {
      const batch = await sampler.sampleAsync(seedsOf(b), { seed: r + 1, batch: b });
      n += batch.nodeIds.length;
      batch.dispose();
    }
    if (r >= 0) rates.async.push(n / ((performance.now() - t) / 1000));
    sampled = n / numBatches;
  }
  sampler.dispose();
  results.sampler = {
    sampled_nodes_per_batch: sampled,
    sync_nodes_per_s_median: median(rates.sync),
    async_nodes_per_s_median: median(rates.async),
    sync_nodes_per_s: rates.sync.map(Math.round),
    async_nodes_per_s: rates.async.map(Math.round),
  };
  console.error(
    `sampler: ${Math.round(sampled)} nodes/batch; sync ${(median(rates.sync) / 1e6).toFixed(2)} M nodes/s, async ${(median(rates.async) / 1e6).toFixed(2)} M nodes/s`,
  );
}

// (b) GraphSAGE steps with prefetch vs on pre-sampled batches.
const sage = new F.GraphSAGE({ inChannels: numFeatures, hiddenChannels: 64, outChannels: numClasses, numLayers: 2, seed: 0 });
const opt = new F.Adam(sage.parameters(), { lr: 0.01, weightDecay: 5e-4 });
/** One step as fit()'s batch epoch runs it: gather the rows, forward on the blocks, NLL of the seeds, backward, Adam. @param {F.SampledBatch} batch */
function sageStep(batch) {
  const x = rows(batch.nodeIds);
  try {
    return F.tidy(() => {
      const loss = F.nllLoss(F.logSoftmax(sage.forwardBlocks(x, batch.blocks)), labels(batch.nodeIds, batch.batchSize));
      F.backward(loss);
      opt.step();
      opt.zeroGrad();
      return loss.item();
    });
  } finally {
    x.dispose();
  }
}
if (!gatOnly) {
  sage.train();
  const loader = F.neighborLoader({ graph: data.graph, nodes: trainIds, fanouts, batchSize, seed: 0 });
  /** @type {{ prefetch: number[]; prefetch_wait: number[]; presampled: number[] }} */
  const ms = { prefetch: [], prefetch_wait: [], presampled: [] };
  for (let r = -1; r < repeats; r++) {
    let t = performance.now();
    // The time the loop waits for the loader (from the end of one step to the next batch):
    // near zero when sampling keeps up, so a ratio above 1 then comes from slower steps.
    let wait = 0;
    let stepEnd = t;
    for await (const batch of loader.batches(r + 2)) {
      wait += performance.now() - stepEnd;
      sageStep(batch);
      batch.dispose();
      stepEnd = performance.now();
    }
    if (r >= 0) {
      ms.prefetch.push((performance.now() - t) / numBatches);
      ms.prefetch_wait.push(wait / numBatches);
    }
    /** @type {F.SampledBatch[]} */
    const pre = [];
    for await (const batch of loader.batches(r + 2)) pre.push(batch);
    t = performance.now();
    for (const b of pre) sageStep(b);
    if (r >= 0) ms.presampled.push((performance.now() - t) / numBatches);
    for (const b of pre) b.dispose();
  }
  loader.dispose();
  const ratio = median(ms.prefetch) / median(ms.presampled);
  results.sage_step = {
    prefetch_ms_median: median(ms.prefetch),
    prefetch_wait_ms_median: median(ms.prefetch_wait),
    presampled_ms_median: median(ms.presampled),
    keeping_up_ratio: ratio,
    target: '≤ 1.1',
    prefetch_ms: ms.prefetch.map((v) => +v.toFixed(3)),
    prefetch_wait_ms: ms.prefetch_wait.map((v) => +v.toFixed(3)),
    presampled_ms: ms.presampled.map((v) => +v.toFixed(3)),
  };
  console.error(
    `SAGE step: prefetch ${median(ms.prefetch).toFixed(1)} ms (waiting ${median(ms.prefetch_wait).toFixed(1)} ms), pre-sampled ${median(ms.presampled).toFixed(1)} ms, ratio ${ratio.toFixed(3)}`,
  );
}

/** Native tensor bytes: the step's peak over what was live before it, and the absolute peak. @param {() => unknown} step */
function peakOf(step) {
  F.resetPeakMemory();
  const before = F.memory().cpu.bytes;
  step();
  const peak = F.memory().cpu.peakBytes;
  return { step_peak_mb: (peak - before) / 2 ** 20, peak_mb: peak / 2 ** 20, live_before_mb: before / 2 ** 20 };
}

// (c) Memory: one sampled step vs one full-batch step of the same GraphSAGE.
if (!gatOnly) {
  const sampler = new F.NeighborSampler(data.graph, { fanouts });
  /** @type {Record<string, ReturnType<typeof peakOf> & { batch_nodes?: number; batch_edges?: number }>} */
  const mem = {};
  const batch = sampler.sample(seedsOf(0), { seed: 0, batch: 0 });
  sageStep(batch); // warm
  mem.sage_sampled = peakOf(() => sageStep(batch));
  const fullStep = () =>
    F.tidy(() => {
      const loss = F.nllLoss(F.logSoftmax(sage.forward(data.features, data.graph)), data.y, data.trainMask);
      F.backward(loss);
      opt.step();
      opt.zeroGrad();
      return loss.item();
    });
  fullStep();
  mem.sage_full = peakOf(fullStep);
  batch.dispose();
  sampler.dispose();
  opt.dispose();
  sage.dispose();

  // 16-block res-gcn: one partition batch (20 parts, 2 per batch) vs full batch.
  const res = new F.ResGCN({ inChannels: numFeatures, hiddenChannels: 64, outChannels: numClasses, numLayers: 16, seed: 0 });
  const ropt = new F.Adam(res.parameters(), { lr: 0.01, weightDecay: 5e-4 });
  res.train();
  const parts = F.partitionLoader({ data, numParts: 20, partsPerBatch: 2, seed: 0 });
  const [pb] = parts.batches(1);
  const partStep = () => {
    const x = rows(pb.nodeIds);
    const mask = new Uint8Array(pb.numNodes);
    pb.nodeIds.forEach((v, i) => {
      mask[i] = data.masks.train[v];
    });
    try {
      return F.tidy(() => {
        const loss = F.nllLoss(F.logSoftmax(res.forward(x, pb.graph)), labels(pb.nodeIds, pb.numNodes), F.Tensor.from(mask, [pb.numNodes]));
        F.backward(loss);
        ropt.step();
        ropt.zeroGrad();
        return loss.item();
      });
    } finally {
      x.dispose();
    }
  };
  partStep();
  mem.resgcn16_partition = { ...peakOf(partStep), batch_nodes: pb.numNodes, batch_edges: pb.graph.numEdges };
  pb.dispose();
  parts.dispose();
  const resFull = () =>
    F.tidy(() => {
      const loss = F.nllLoss(F.logSoftmax(res.forward(data.features, data.graph)), data.y, data.trainMask);
      F.backward(loss);
      ropt.step();
      ropt.zeroGrad();
      return loss.item();
    });
  resFull();
  mem.resgcn16_full = peakOf(resFull);
  ropt.dispose();
  res.dispose();
  results.memory = {
    ...mem,
    sage_sampled_over_full: mem.sage_sampled.step_peak_mb / mem.sage_full.step_peak_mb,
    resgcn16_partition_over_full: mem.resgcn16_partition.step_peak_mb / mem.resgcn16_full.step_peak_mb,
  };
  for (const [k, v] of Object.entries(mem)) console.error(`${k.padEnd(20)} step peak ${v.step_peak_mb.toFixed(1)} MB (absolute ${v.peak_mb.toFixed(1)} MB)`);
}
if (gatOnly) {
  opt.dispose();
  sage.dispose();
}

// (d) GAT (v1, 2 layers, 8 heads × 8, Adam) steps on sampled blocks, fanouts 25,10: Cora with its
// 140 training nodes as one batch, and the SBM's batches of 1024. Batches are sampled beforehand,
// so the time is the step's alone; the peak is (c)'s measure.
{
  /** @param {string} name @param {F.NodeData} d @param {(b: number) => Int32Array} seeds @param {number} count @param {Float32Array} feats */
  const gatSteps = (name, d, seeds, count, feats) => {
    const width = d.numFeatures;
    const model = new F.GAT({ inChannels: width, hiddenChannels: 8, heads: 8, outChannels: d.numClasses, seed: 0 });
    const gopt = new F.Adam(model.parameters(), { lr: 0.005, weightDecay: 5e-4 });
    model.train();
    const sampler = new F.NeighborSampler(d.graph, { fanouts });
    const batches = Array.from({ length: count }, (_, b) => sampler.sample(seeds(b), { seed: 0, batch: b }));
    /** @param {F.SampledBatch} batch */
    const step = (batch) => {
      const ids = batch.nodeIds;
      const x = new Float32Array(ids.length * width);
      ids.forEach((v, i) => x.set(feats.subarray(v * width, (v + 1) * width), i * width));
      const y = new Int32Array(batch.batchSize);
      for (let i = 0; i < batch.batchSize; i++) y[i] = d.labels[ids[i]];
      return F.tidy(() => {
        const loss = F.nllLoss(F.logSoftmax(model.forwardBlocks(F.Tensor.from(x, [ids.length, width]), batch.blocks)), F.Tensor.from(y, [batch.batchSize]));
        F.backward(loss);
        gopt.step();
        gopt.zeroGrad();
        return loss.item();
      });
    };
    /** @type {number[]} */
    const ms = [];
    for (let r = -1; r < repeats; r++) {
      const t = performance.now();
      // At least 16 steps per repeat: Cora's one batch is stepped on again.
      const steps = Math.max(count, 16);
      for (let k = 0; k < steps; k++) step(batches[k % count]);
      if (r >= 0) ms.push((performance.now() - t) / steps);
    }
    const peak = peakOf(() => step(batches[0]));
    const res = {
      step_ms_median: median(ms),
      step_ms: ms.map((v) => +v.toFixed(3)),
      ...peak,
      sampled_nodes_first_batch: batches[0].nodeIds.length,
      seeds_per_batch: batches[0].batchSize,
      batches: count,
    };
    for (const b of batches) b.dispose();
    sampler.dispose();
    gopt.dispose();
    model.dispose();
    console.error(
      `GAT step ${name}: ${res.step_ms_median.toFixed(1)} ms, step peak ${res.step_peak_mb.toFixed(1)} MB (${res.sampled_nodes_first_batch} sampled nodes)`,
    );
    return res;
  };
  const cora = F.NodeData.from(F.datasets.loadDataset('cora', { normalizeFeatures: true }));
  const coraTrain = Int32Array.from(Array.from(cora.masks.train, (m, i) => (m ? i : -1)).filter((i) => i >= 0));
  results.gat_step = {
    model: 'GAT v1, 2 layers, hidden 8 × 8 heads, Adam; fanouts 25,10; batches sampled beforehand',
    cora: gatSteps('cora', cora, () => coraTrain, 1, /** @type {Float32Array} */ (cora.x.toArray())),
    sbm: gatSteps('sbm', data, seedsOf, numBatches, host),
  };
  cora.dispose();
}
data.dispose();
/** @type {Record<string, unknown>} */ (results.machine).load_average_at_end = loadAverage();
results.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.error(`wrote ${out}`);
