// Benchmark cases of Fathom in this process (run as a child by compare.bench.mjs,
// compare-cuda.bench.mjs and depth-memory.bench.mjs, so that its peak memory is its own). Prints
// one JSON line on stdout: for one case, the times of every timed repeat, the loss of the first
// and last step and peak RSS (VmHWM); for a list of cases (`--case spmm:64,spmm:128,gcn`), a line
// per case as it finishes ({ case_result, ... }) and a last one with them all under `cases`, the
// graph loaded once. On CUDA every timer is fenced by
// synchronize('cuda') and a case's device peak is memory().cuda.peakBytes, reset at its start.
//   node bench/lib/fathom-case.mjs --case spmm|gcn|resgcn|gat[,...] --graph DIR [--device cpu|cuda]
//        [--repeats R] [--warmup W] [--threads T] [--depth L] [--hidden H] [--residual fixup|...]
//        [--checkpoint-every K] [--features F]   (spmm:F in a list sets F for that case)
import { peakRssMb } from './peakRss.mjs';
import { parseArgs } from 'node:util';

import * as F from '../../dist/esm/index.js';
import { deviceSync } from '../timing.mjs';
import { loadGraph } from './graphs.mjs';

const { values: a } = parseArgs({
  options: {
    case: { type: 'string' },
    graph: { type: 'string' },
    device: { type: 'string', default: 'cpu' },
    repeats: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    threads: { type: 'string' },
    depth: { type: 'string', default: '64' },
    hidden: { type: 'string', default: '64' },
    residual: { type: 'string', default: 'fixup' },
    features: { type: 'string', default: '64' },
    // res-gcn activation checkpointing: segments of K blocks recomputed in backward.
    'checkpoint-every': { type: 'string' },
    // spmm only: map every source j to j mod K, keeping each row's nonzero count, so that all
    // gathers read K rows that stay in cache (the kernel's ceiling when nothing misses).
    'fold-sources': { type: 'string' },
    // Training cases: 'eager' (a hand-written step) and/or 'fit' (fit(), whose step is compiled
    // by default); with both, the faster is the case's figure and both are kept under variants.
    variants: { type: 'string', default: 'eager' },
  },
});
if (a.threads) F.setNumThreads(Number(a.threads));
const device = /** @type {F.Device} */ (a.device);
if (device !== 'cpu' && device !== 'cuda') throw new RangeError(`fathom-case: --device must be cpu or cuda, got '${a.device}'`);
const fence = deviceSync(F, device);
const repeats = Number(a.repeats);
const warmup = Number(a.warmup);
const hidden = Number(a.hidden);

if (!a.graph) throw new RangeError('fathom-case: --graph DIR is required');
if (!a.case) throw new RangeError('fathom-case: --case is required');
const t0 = performance.now();
const d = loadGraph(a.graph);
const caseList = a.case.split(',');
/** @type {Record<string, unknown>} */
const head = {
  side: 'fathom',
  device,
  graph: d.name,
  nodes: d.numNodes,
  edges: d.numEdges,
  threads: F.devices().cpu.threads,
  synchronized: fence.synchronized,
  sync_method: fence.sync_method,
};
if (device === 'cuda') head.gpu = F.devices().cuda.devices?.[0]?.name ?? null;

/**
 * Runs fn `warmup + repeats` times, each call fenced by the device synchronize.
 * @template T
 * @param {() => T} fn
 * @returns {{ times: number[]; results: T[] }}
 */
function timed(fn) {
  const times = [];
  const results = [];
  for (let i = 0; i < warmup + repeats; i++) {
    fence.sync();
    const s = performance.now();
    const r = fn();
    fence.sync();
    const ms = performance.now() - s;
    results.push(r);
    if (i >= warmup) times.push(+ms.toFixed(3));
  }
  return { times, results };
}

const MB = 2 ** 20;
/** Live bytes on the device now, and its peak since the last resetPeakMemory, in MB. */
function deviceMb() {
  const m = F.memory()[device];
  return { bytes: m.bytes / MB, peak: m.peakBytes / MB };
}

/**
 * X of an SpMM case, F wide: the graph's own features; when F is a multiple of their width, each
 * row repeated (the reference builds the same array, and no 10M-row pattern is computed in JS);
 * else a fixed pattern. The values do not matter to the time.
 * @param {number} f
 */
function featuresOf(f) {
  const nf = d.numFeatures;
  if (d.x && nf === f) return d.x;
  if (d.x && f % nf === 0) {
    const out = new Float32Array(d.numNodes * f);
    for (let i = 0; i < d.numNodes; i++) {
      const row = d.x.subarray(i * nf, (i + 1) * nf);
      for (let j = 0; j < f; j += nf) out.set(row, i * f + j);
    }
    return out;
  }
  return new Float32Array(d.numNodes * f).map((_, i) => Math.sin(i));
}

/**
 * One SpMM Y = P X with P the gcn operator, F features wide.
 * @param {F.Graph} graph @param {number} f @param {Record<string, unknown>} out
 */
function spmmCase(graph, f, out) {
  const op = graph.operator('gcn', { device });
  const x = F.Tensor.from(featuresOf(f), [d.numNodes, f], { device });
  try {
    const { times } = timed(() => F.tidy(() => void F.propagate(op, x).dispose()));
    out.times_ms = times;
    // Sum of |Y| of one more product: the PyTorch reference reports the same figure.
    out.checksum = F.tidy(() => /** @type {Float32Array} */ (F.propagate(op, x).toArray()).reduce((s, v) => s + Math.abs(v), 0));
    out.nnz = op.nnz;
    out.features = f;
  } finally {
    x.dispose();
  }
}

/**
 * @param {string} kind gcn | resgcn | gat
 * @param {F.NodeData} data
 */
function makeModel(kind, data) {
  const common = { inChannels: data.numFeatures, outChannels: data.numClasses, seed: 0, device };
  if (kind === 'gcn') return { model: new F.GCN({ ...common, hiddenChannels: hidden, numLayers: 2, dropout: 0.5 }), extra: {} };
  if (kind === 'resgcn') {
    const checkpointEvery = a['checkpoint-every'] ? Number(a['checkpoint-every']) : undefined;
    const residual = /** @type {F.ResidualMode} */ (a.residual);
    const model = new F.ResGCN({ ...common, hiddenChannels: hidden, numLayers: Number(a.depth), residual, dropout: 0.5, checkpointEvery });
    return { model, extra: { depth: Number(a.depth), residual: a.residual, checkpoint_every: checkpointEvery ?? null } };
  }
  if (kind === 'gat') return { model: new F.GAT({ ...common, hiddenChannels: 8, heads: 8, numLayers: 2, version: 'v1', dropout: 0.6 }), extra: {} };
  throw new RangeError(`fathom-case: unknown case '${kind}'`);
}

/**
 * One training step as fit() runs it: forward, loss on the training mask, backward, Adam.
 * @param {string} kind @param {F.NodeData} data @param {Record<string, unknown>} out
 */
function trainCase(kind, data, out) {
  const { model, extra } = makeModel(kind, data);
  Object.assign(out, extra);
  const opt = new F.Adam(model.parameters(), { lr: 0.01, weightDecay: 5e-4 });
  try {
    // Native tensor bytes: live before the step, live once the forward (and loss) is done, and
    // the step's peak: what the autograd tape holds, apart from allocator and runtime.
    const mem = { before: 0, after_forward: 0, peak: 0 };
    const { times, results } = timed(() => {
      model.train();
      F.resetPeakMemory();
      mem.before = F.memory()[device].bytes;
      return F.tidy(() => {
        // data.features is what fit() trains on: a CSR when the features are sparse enough
        // (Cora's bag of words), else the dense matrix.
        const loss = F.nllLoss(F.logSoftmax(model.forward(data.features, data.graph)), data.y, data.trainMask);
        mem.after_forward = F.memory()[device].bytes;
        F.backward(loss);
        opt.step();
        opt.zeroGrad();
        return loss.item();
      });
    });
    mem.peak = F.memory()[device].peakBytes;
    out.tensor_mb = { before_step: mem.before / MB, after_forward: mem.after_forward / MB, step_peak: mem.peak / MB };
    out.times_ms = times;
    out.loss_first = results[0];
    out.loss_last = results[results.length - 1];
    out.parameters = model.parameters().reduce((s, p) => s + p.shape.reduce((x, y) => x * y, 1), 0);
  } finally {
    opt.dispose();
    model.dispose();
  }
}

/**
 * The same training step through fit(), as users run it: compiled (replayed natively) from the
 * fourth step on, so the first 3 + warmup steps are not timed. stepMs starts after the
 * onStepStart callback, which waits for the device, and ends with the step's loss.item().
 * @param {string} kind @param {F.NodeData} data @param {Record<string, unknown>} out
 */
async function fitCase(kind, data, out) {
  const { model, extra } = makeModel(kind, data);
  Object.assign(out, extra);
  const skip = 3 + warmup;
  let peak = 0;
  /** @type {F.Callback} */
  const probe = {
    onStepStart: () => {
      fence.sync();
      F.resetPeakMemory();
    },
    onStepEnd: () => {
      peak = F.memory()[device].peakBytes;
    },
  };
  try {
    const options = { epochs: skip + repeats, lr: 0.01, weightDecay: 5e-4, patience: 0, restoreBest: false, checkFinite: false, callbacks: [probe] };
    const r = await F.fit(model, data, options);
    out.times_ms = r.history.slice(skip).map((h) => +h.stepMs.toFixed(3));
    out.loss_first = r.history[0]?.trainLoss;
    out.loss_last = r.history[r.history.length - 1]?.trainLoss;
    out.compiled = r.compiled?.train ?? false;
    out.step_peak_mb = peak / MB;
  } finally {
    model.dispose();
  }
}

/** @param {number[]} xs */
const medianOf = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)] ?? Infinity;

/**
 * A training case through each of --variants; the faster one's record, all of them under variants.
 * @param {string} kind @param {F.NodeData} data @param {Record<string, unknown>} out
 */
async function trainVariants(kind, data, out) {
  const names = a.variants.split(',');
  if (names.length === 1 && names[0] === 'eager') return trainCase(kind, data, out);
  /** @type {Record<string, Record<string, unknown>>} */
  const by = {};
  for (const name of names) {
    /** @type {Record<string, unknown>} */
    const rec = {};
    F.resetPeakMemory();
    try {
      if (name === 'eager') trainCase(kind, data, rec);
      else if (name === 'fit') await fitCase(kind, data, rec);
      else throw new RangeError(`fathom-case: --variants takes eager and fit, got '${name}'`);
      rec.device_peak_mb = name === 'fit' ? rec.step_peak_mb : deviceMb().peak;
    } catch (e) {
      rec.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    by[name] = rec;
  }
  const ok = Object.entries(by).filter(([, r]) => Array.isArray(r.times_ms) && r.times_ms.length > 0);
  if (ok.length === 0)
    throw new Error(
      Object.entries(by)
        .map(([k, r]) => `${k}: ${r.error}`)
        .join('; '),
    );
  const [best, rec] = ok.reduce((x, y) => (medianOf(/** @type {number[]} */ (y[1].times_ms)) < medianOf(/** @type {number[]} */ (x[1].times_ms)) ? y : x));
  Object.assign(out, rec, { variant: best });
  out.variants = Object.fromEntries(
    Object.entries(by).map(([k, r]) => [
      k,
      r.error ? { error: r.error } : { median_ms: medianOf(/** @type {number[]} */ (r.times_ms)), device_peak_mb: r.device_peak_mb, compiled: r.compiled },
    ]),
  );
}

/**
 * Runs one case (`spmm`, `spmm:128`, `gcn`, ...) into a fresh record; its device peak covers the
 * case alone (inputs resident on the device included).
 * @param {string} spec @param {() => F.NodeData} dataOf @param {() => F.Graph} graphOf
 */
async function runCase(spec, dataOf, graphOf) {
  const [kind, width] = spec.split(':');
  /** @type {Record<string, unknown>} */
  const out = { case: kind };
  F.resetPeakMemory();
  out.device_mb_at_start = deviceMb().bytes;
  const s = performance.now();
  if (kind === 'spmm') spmmCase(graphOf(), Number(width ?? a.features), out);
  else await trainVariants(/** @type {string} */ (kind), dataOf(), out);
  // With variants, each one's peak is its own (set above); else the case's.
  if (out.device_peak_mb === undefined) out.device_peak_mb = deviceMb().peak;
  out.case_wall_ms = performance.now() - s;
  return out;
}

if (caseList.length === 1 && !a.case.includes(':')) {
  // One case: the record the CPU benchmarks read, with this process's peak RSS.
  /** @type {Record<string, unknown>} */
  const out = { ...head, case: a.case };
  if (a.case === 'spmm') {
    const fold = a['fold-sources'] ? Number(a['fold-sources']) : 0;
    if (fold > 0) {
      for (let e = 0; e < d.numEdges; e++) d.edgeIndex[e] %= fold;
      out.fold_sources = fold;
    }
    const g = F.Graph.fromEdgeIndex(d.edgeIndex, { numNodes: d.numNodes });
    out.setup_ms = performance.now() - t0;
    Object.assign(
      out,
      await runCase(
        'spmm',
        () => F.NodeData.from(d, { device }),
        () => g,
      ),
    );
    g.dispose();
  } else {
    const data = F.NodeData.from(d, { device });
    // From here the features live in `data` (as nonzeros when sparse), as the reference holds
    // its one tensor: the loaded array is not kept alongside.
    d.x = null;
    out.setup_ms = performance.now() - t0;
    Object.assign(
      out,
      await runCase(
        a.case,
        () => data,
        () => data.graph,
      ),
    );
    data.dispose();
  }
  out.peak_rss_mb = peakRssMb();
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  // A list: the data moves to the device once; each case reports its own times and device peak,
  // or the error that ended it (an out-of-memory on a large graph ends that case, not the list).
  const data = F.NodeData.from(d, { device });
  /** @type {Record<string, Record<string, unknown>>} */
  const cases = {};
  const setup_ms = performance.now() - t0;
  for (const spec of caseList) {
    try {
      cases[spec] = await runCase(
        spec,
        () => data,
        () => data.graph,
      );
    } catch (e) {
      cases[spec] = { case: spec, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
    // One line per finished case: a run stopped by its time limit keeps what it finished.
    process.stdout.write(`${JSON.stringify({ case_result: spec, ...cases[spec] })}\n`);
    process.stderr.write(`fathom ${spec}: ${cases[spec].error ?? `${cases[spec].times_ms}`}\n`);
  }
  data.dispose();
  process.stdout.write(`${JSON.stringify({ ...head, setup_ms, cases, peak_rss_mb: peakRssMb() })}\n`);
}
