// One benchmark case of Fathom in this process (run as a child by compare.bench.mjs and
// depth-memory.bench.mjs, so that its peak RSS is its own). Prints one JSON line on stdout:
// times of every timed repeat, the loss of the first and last step, and peak RSS (VmHWM).
//   node bench/lib/fathom-case.mjs --case spmm|gcn|resgcn|gat --graph DIR [--repeats R] [--warmup W]
//        [--threads T] [--depth L] [--hidden H] [--residual fixup|reversible|...] [--checkpoint-every K]
import { peakRssMb } from './peakRss.mjs';
import { parseArgs } from 'node:util';

import * as F from '../../dist/esm/index.js';
import { loadGraph } from './graphs.mjs';

const { values: a } = parseArgs({
  options: {
    case: { type: 'string' },
    graph: { type: 'string' },
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
  },
});
if (a.threads) F.setNumThreads(Number(a.threads));
const repeats = Number(a.repeats);
const warmup = Number(a.warmup);
const hidden = Number(a.hidden);

if (!a.graph) throw new RangeError('fathom-case: --graph DIR is required');
const t0 = performance.now();
const d = loadGraph(a.graph);
/** @type {Record<string, unknown>} */
const out = { case: a.case, side: 'fathom', graph: d.name, nodes: d.numNodes, edges: d.numEdges, threads: F.devices().cpu.threads };

/**
 * @template T
 * @param {() => T} fn
 * @returns {{ times: number[]; results: T[] }}
 */
function timed(fn) {
  const times = [];
  const results = [];
  for (let i = 0; i < warmup + repeats; i++) {
    const s = performance.now();
    const r = fn();
    const ms = performance.now() - s;
    results.push(r);
    if (i >= warmup) times.push(+ms.toFixed(3));
  }
  return { times, results };
}

if (a.case === 'spmm') {
  const f = Number(a.features);
  const fold = a['fold-sources'] ? Number(a['fold-sources']) : 0;
  if (fold > 0) {
    for (let e = 0; e < d.numEdges; e++) d.edgeIndex[e] %= fold;
    out.fold_sources = fold;
  }
  const g = F.Graph.fromEdgeIndex(d.edgeIndex, { numNodes: d.numNodes });
  const op = g.operator('gcn');
  // The graph's own features when they are F wide, else a fixed pattern (values do not matter).
  const xs = d.x && d.numFeatures === f ? d.x : new Float32Array(d.numNodes * f).map((_, i) => Math.sin(i));
  const x = F.Tensor.from(xs, [d.numNodes, f]);
  out.setup_ms = performance.now() - t0;
  const { times } = timed(() => F.tidy(() => void F.propagate(op, x).dispose()));
  out.times_ms = times;
  // Sum of |Y| of one more product: the PyTorch reference reports the same figure.
  out.checksum = F.tidy(() => /** @type {Float32Array} */ (F.propagate(op, x).toArray()).reduce((s, v) => s + Math.abs(v), 0));
  out.nnz = op.nnz;
  out.features = f;
  x.dispose();
  g.dispose();
} else {
  const data = F.NodeData.from(d);
  // From here the features live in `data` (as nonzeros when sparse), as the reference holds
  // its one tensor: the loaded array is not kept alongside.
  d.x = null;
  let model;
  if (a.case === 'gcn') {
    model = new F.GCN({ inChannels: d.numFeatures, hiddenChannels: hidden, outChannels: d.numClasses, numLayers: 2, dropout: 0.5, seed: 0 });
  } else if (a.case === 'resgcn') {
    const checkpointEvery = a['checkpoint-every'] ? Number(a['checkpoint-every']) : undefined;
    model = new F.ResGCN({
      inChannels: d.numFeatures,
      hiddenChannels: hidden,
      outChannels: d.numClasses,
      numLayers: Number(a.depth),
      residual: /** @type {F.ResidualMode} */ (a.residual),
      dropout: 0.5,
      seed: 0,
      checkpointEvery,
    });
    out.depth = Number(a.depth);
    out.residual = a.residual;
    out.checkpoint_every = checkpointEvery ?? null;
  } else if (a.case === 'gat') {
    model = new F.GAT({
      inChannels: d.numFeatures,
      hiddenChannels: 8,
      heads: 8,
      outChannels: d.numClasses,
      numLayers: 2,
      version: 'v1',
      dropout: 0.6,
      seed: 0,
    });
  } else {
    throw new RangeError(`fathom-case: unknown case '${a.case}'`);
  }
  const opt = new F.Adam(model.parameters(), { lr: 0.01, weightDecay: 5e-4 });
  out.setup_ms = performance.now() - t0;
  // One training step as fit() runs it: forward, loss on the training mask, backward, Adam.
  // Native tensor bytes: live before the step, live once the forward (and loss) is done, and
  // the step's peak: what the autograd tape holds per block, apart from allocator and runtime.
  const mem = { before: 0, after_forward: 0, peak: 0 };
  const { times, results } = timed(() => {
    model.train();
    F.resetPeakMemory();
    mem.before = F.memory().cpu.bytes;
    return F.tidy(() => {
      // data.features is what fit() trains on: a CSR when the features are sparse enough (Cora's
      // bag of words), else the dense matrix.
      const loss = F.nllLoss(F.logSoftmax(model.forward(data.features, data.graph)), data.y, data.trainMask);
      mem.after_forward = F.memory().cpu.bytes;
      F.backward(loss);
      opt.step();
      opt.zeroGrad();
      return loss.item();
    });
  });
  mem.peak = F.memory().cpu.peakBytes;
  out.tensor_mb = { before_step: mem.before / 2 ** 20, after_forward: mem.after_forward / 2 ** 20, step_peak: mem.peak / 2 ** 20 };
  out.times_ms = times;
  out.loss_first = results[0];
  out.loss_last = results[results.length - 1];
  out.parameters = model.parameters().reduce((s, p) => s + p.shape.reduce((x, y) => x * y, 1), 0);
  opt.dispose();
  model.dispose();
  data.dispose();
}
out.peak_rss_mb = peakRssMb();
process.stdout.write(`${JSON.stringify(out)}\n`);
