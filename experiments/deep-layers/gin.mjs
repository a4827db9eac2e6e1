// GIN on Cora, public Planetoid split: per-seed test accuracy at the best-validation epoch.
// Row-normalized features (as `fathom train`), Adam, early stopping on validation accuracy.
// Usage (after `npm run build:ts` and the native build):
//   OMP_NUM_THREADS=1 node experiments/deep-layers/gin.mjs --seeds 0,1,2 --epochs 200 --patience 100 [--train-eps]
// Prints one JSON line per run, then a markdown table.
import { Adam, datasets, fit, GIN, NodeData, setNumThreads } from '../../dist/esm/index.js';

function parseArgs(argv) {
  const o = { seeds: [0, 1, 2], epochs: 200, patience: 100, lr: 0.01, weightDecay: 5e-4, hidden: 64, layers: 2, dropout: 0.5, trainEps: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'train-eps') {
      o.trainEps = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    if (k === 'seeds') o.seeds = v.split(',').map(Number);
    else if (k === 'weight-decay') o.weightDecay = Number(v);
    else if (k in o) o[k] = Number(v);
    else throw new Error(`unknown option --${k}`);
  }
  return o;
}

const args = parseArgs(process.argv.slice(2));
if (process.env.OMP_NUM_THREADS) setNumThreads(Number(process.env.OMP_NUM_THREADS));
const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const rows = [];
for (const seed of args.seeds) {
  const model = new GIN({
    inChannels: cora.numFeatures,
    hiddenChannels: args.hidden,
    outChannels: cora.numClasses,
    numLayers: args.layers,
    dropout: args.dropout,
    trainEps: args.trainEps,
    seed,
  });
  const optimizer = new Adam(model.parameters(), { lr: args.lr, weightDecay: args.weightDecay });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await fit(model, data, { epochs: args.epochs, optimizer, patience: args.patience });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const eps = model.layers.map((c) => c.epsValue());
  optimizer.dispose();
  model.dispose();
  const steps = result.history.map((h) => h.stepMs).sort((a, b) => a - b);
  const row = {
    seed,
    trainEps: args.trainEps,
    epochsRun: result.epochsRun,
    bestEpoch: result.bestEpoch,
    valAcc: result.best.valAcc,
    testAcc: result.best.testAcc,
    stepMsMedian: steps[Math.floor((steps.length - 1) / 2)],
    secondsPerEpoch: wallS / result.epochsRun,
    cpuMsPerEpoch: (cpu.user + cpu.system) / 1000 / result.epochsRun,
    eps,
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
data.dispose();
const mean = rows.reduce((s, r) => s + r.testAcc, 0) / rows.length;
const sd = Math.sqrt(rows.reduce((s, r) => s + (r.testAcc - mean) ** 2, 0) / Math.max(1, rows.length - 1));
console.log(`\n| seed | train ε | epochs run | best epoch | val acc | test acc | step ms (median, wall) | ms/epoch (wall, eval incl.) | CPU ms/epoch |`);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.seed} | ${r.trainEps ? 'yes' : 'no'} | ${r.epochsRun} | ${r.bestEpoch} | ${(100 * r.valAcc).toFixed(1)} | ${(100 * r.testAcc).toFixed(1)} | ${r.stepMsMedian.toFixed(1)} | ${(1000 * r.secondsPerEpoch).toFixed(1)} | ${r.cpuMsPerEpoch.toFixed(1)} |`,
  );
}
console.log(`\ntest accuracy ${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)} % (mean ± sd over ${rows.length} seeds)`);
