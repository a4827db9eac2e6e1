// Res-GCN experiments on Cora (public split), CPU. Plain JS over dist/esm (run `npm run build:ts`).
//   node experiments/res-gcn/run.mjs accuracy <residual> <depth> <seeds> [epochs] [options JSON] -> results/acc-*.json
//     (options: ResGCN options, and lr, weightDecay, patience for fit)
//   node experiments/res-gcn/run.mjs memory <residual> <depth>                        -> one JSON line (child process)
//   node experiments/res-gcn/run.mjs memory-all                                       -> results/memory.json
//   node experiments/res-gcn/run.mjs gradients                                        -> results/lipschitz-gradients.json
// Protocol: normalized features, Adam lr 0.01, weight decay 5e-4, 200 epochs, patience 100,
// hidden 64, dropout 0.5 on the input and before the decoder, no dropout inside branches,
// gnn-he (C_W = 2) with fixup branches β_L = 1/√L; metrics at the best-validation epoch.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { backward, datasets, fit, logSoftmax, memory, nllLoss, NodeData, resetPeakMemory, tidy, Tensor } from '../../dist/esm/index.js';
import { ResGCN } from '../../dist/esm/models/ResGCN.js';
import { add } from '../../dist/esm/functional/arithmetic.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });

function makeModel(cora, residual, depth, seed, extra = {}) {
  return new ResGCN({
    inChannels: cora.numFeatures,
    outChannels: cora.numClasses,
    hiddenChannels: 64,
    numLayers: depth,
    residual,
    seed,
    dropout: 0.5,
    ...extra,
  });
}

// Keys of the options JSON that set training, not the model.
const FIT_KEYS = ['lr', 'weightDecay', 'patience'];

async function accuracy(residual, depth, seeds, epochs, options = {}, tag = '') {
  const train = { lr: 0.01, weightDecay: 5e-4, patience: 100 };
  const extra = {};
  for (const [k, v] of Object.entries(options)) {
    if (FIT_KEYS.includes(k)) train[k] = v;
    else extra[k] = v;
  }
  const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
  const data = NodeData.from(cora, { device: 'cpu' });
  const runs = [];
  for (const seed of seeds) {
    const model = makeModel(cora, residual, depth, seed, extra);
    const t0 = performance.now();
    const r = await fit(model, data, { epochs, ...train });
    const nan = r.history.some((e) => !Number.isFinite(e.trainLoss));
    const stepMs = r.history.map((e) => e.stepMs).sort((a, b) => a - b)[Math.floor(r.history.length / 2)];
    runs.push({
      seed,
      testAcc: r.best.testAcc,
      valAcc: r.best.valAcc,
      bestEpoch: r.bestEpoch,
      epochsRun: r.epochsRun,
      anyNaN: nan,
      stepMsMedian: stepMs,
      wallS: (performance.now() - t0) / 1000,
    });
    console.error(
      `${residual} L=${depth} seed ${seed}: test ${(100 * r.best.testAcc).toFixed(1)}% (best epoch ${r.bestEpoch}, ${runs.at(-1).wallS.toFixed(0)} s)`,
    );
    model.dispose();
  }
  data.dispose();
  const mean = runs.reduce((a, r) => a + r.testAcc, 0) / runs.length;
  const sd = Math.sqrt(runs.reduce((a, r) => a + (r.testAcc - mean) ** 2, 0) / Math.max(1, runs.length - 1));
  const out = {
    residual,
    depth,
    extra,
    hidden: 64,
    epochs,
    ...train,
    init: 'gnn-he',
    meanTestAcc: mean,
    sdTestAcc: sd,
    runs,
  };
  writeFileSync(join(resultsDir, `acc-${residual}${tag}-L${depth}${epochs === 200 ? '' : `-e${epochs}`}.json`), JSON.stringify(out, null, 2));
  console.log(JSON.stringify({ residual, depth, meanTestAcc: mean, sdTestAcc: sd }));
}

// One training epoch (forward, backward) of a fresh model; peak RSS of this process and peak native bytes.
function memoryEpoch(residual, depth) {
  const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
  const data = NodeData.from(cora, { device: 'cpu' });
  const model = makeModel(cora, residual, depth, 0);
  const rssBefore = process.resourceUsage().maxRSS;
  resetPeakMemory();
  const t0 = performance.now();
  tidy(() => {
    const loss = nllLoss(logSoftmax(model.forward(data.x, data.graph)), data.y, data.trainMask);
    backward(loss);
  });
  const epochMs = performance.now() - t0;
  const peakNative = memory().cpu.peakBytes;
  console.log(
    JSON.stringify({
      residual,
      depth,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      rssBeforeEpochMB: rssBefore / 1024,
      peakNativeMB: peakNative / 2 ** 20,
      epochMs,
    }),
  );
  model.dispose();
  data.dispose();
}

function memoryAll() {
  const rows = [];
  for (const [residual, depth] of [
    ['reversible', 16],
    ['reversible', 256],
    ['fixup', 16],
    ['fixup', 256],
  ]) {
    const line = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'memory', residual, String(depth)], { encoding: 'utf8' });
    rows.push(JSON.parse(line.trim().split('\n').at(-1)));
    console.error(JSON.stringify(rows.at(-1)));
  }
  writeFileSync(join(resultsDir, 'memory.json'), JSON.stringify(rows, null, 2));
}

// ‖∂L/∂Z^l‖_F per block at init for lipschitz modes c and c/L (and no normalization), via zero probes
// added to each block's output (their gradient is ∂L/∂Z^l). res+ branches are unscaled (β = 1), fixup's 1/√L.
function gradients() {
  const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
  const data = NodeData.from(cora, { device: 'cpu', dtype: 'f64' });
  const out = [];
  for (const depth of [64, 256]) {
    for (const variant of [{ norm: 'none' }, { norm: 'lipschitz', lipschitzMode: 'c' }, { norm: 'lipschitz', lipschitzMode: 'c/L' }]) {
      for (const residual of ['fixup', 'res+']) {
        const model = makeModel(cora, residual, depth, 0, { ...variant, dtype: 'f64', dropout: 0 });
        const norms = tidy(() => {
          let h = model.encoder.forward(data.x);
          const probes = [];
          for (const block of model.blocks) {
            h = block.forward(h, data.graph, 0);
            const p = Tensor.zeros(h.shape, { dtype: 'f64' });
            p.requiresGrad = true;
            probes.push(p);
            h = add(h, p);
          }
          const loss = nllLoss(logSoftmax(model.decoder.forward(h)), data.y, data.trainMask);
          backward(loss);
          return probes.map((p) => Math.sqrt(p.grad.toArray().reduce((a, v) => a + v * v, 0)));
        });
        model.dispose();
        const row = {
          depth,
          residual,
          ...variant,
          gradNormFirst: norms[0],
          gradNormLast: norms.at(-1),
          ratioFirstToLast: norms[0] / norms.at(-1),
          perLayer: norms,
        };
        out.push(row);
        console.error(
          `L=${depth} ${residual} ${variant.norm}${variant.lipschitzMode ? ` ${variant.lipschitzMode}` : ''}: ‖∂L/∂Z^1‖/‖∂L/∂Z^L‖ = ${row.ratioFirstToLast.toFixed(3)}`,
        );
      }
    }
  }
  data.dispose();
  writeFileSync(join(resultsDir, 'lipschitz-gradients.json'), JSON.stringify(out, null, 2));
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'accuracy') {
  // Optional 5th argument: extra ResGCN options as JSON, e.g. '{"norm":"lipschitz"}' (named in the file);
  // its keys lr, weightDecay and patience set training instead (default 0.01, 5e-4, 100).
  const extra = args[4] ? JSON.parse(args[4]) : {};
  const tag = Object.entries(extra)
    .map(([k, v]) => `-${k}-${String(v).replace('/', '')}`)
    .join('');
  await accuracy(args[0], Number(args[1]), args[2].split(',').map(Number), Number(args[3] ?? 200), extra, tag);
} else if (cmd === 'memory') memoryEpoch(args[0], Number(args[1]));
else if (cmd === 'memory-all') memoryAll();
else if (cmd === 'gradients') gradients();
else {
  console.error('usage: run.mjs accuracy <residual> <depth> <seeds> [epochs] | memory <residual> <depth> | memory-all | gradients');
  process.exit(2);
}
