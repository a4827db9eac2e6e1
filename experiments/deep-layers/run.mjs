// GCNII and APPNP on Cora (public Planetoid split, row-normalized features as `fathom train`
// loads them): test accuracy at the best validation epoch, per seed. Plain JS over the built
// package: run `npm run build:ts` first.
//
//   node experiments/deep-layers/run.mjs gcnii|appnp [--seeds 0,1,2] [--epochs 1000] [--patience 100]
//     [--layers L] [--hidden 64] [--dropout p] [--lr 0.01] [--weight-decay wd]
//     [--conv-weight-decay wd|none] [--alpha a] [--theta t] [--tag _suffix]
//     [--lin1-weight-decay wd]   (appnp: this decay on the first layer's weight alone, the
//                                 optimizer's --weight-decay on the rest; the paper's is 5e-3 and 0)
//
// Unset options take the model's registry defaults (gcniiEntry / appnpEntry .defaults). Writes
// experiments/deep-layers/results/<model><tag>.json and prints one line per seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Adam, APPNPNet, appnpEntry, datasets, fit, GCNII, gcniiEntry, NodeData } from '../../dist/esm/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });

const args = process.argv.slice(2);
const modelName = args[0];
if (modelName !== 'gcnii' && modelName !== 'appnp') throw new Error('usage: run.mjs gcnii|appnp [options]');
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const num = (name) => (opt(name) === undefined ? undefined : Number(opt(name)));
const entry = modelName === 'gcnii' ? gcniiEntry : appnpEntry;
const d = entry.defaults;
const seeds = opt('seeds', '0,1,2').split(',').map(Number);
const settings = {
  model: modelName,
  epochs: Number(opt('epochs', '1000')),
  patience: Number(opt('patience', '100')),
  layers: num('layers') ?? d.layers,
  hidden: num('hidden') ?? d.hidden,
  dropout: num('dropout') ?? d.dropout,
  lr: num('lr') ?? d.lr,
  weightDecay: num('weight-decay') ?? d.weightDecay,
  alpha: num('alpha'),
  theta: num('theta'),
  convWeightDecay: opt('conv-weight-decay') === 'none' ? null : num('conv-weight-decay'),
  lin1WeightDecay: num('lin1-weight-decay'),
};
const tag = opt('tag', '');

const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const io = { inChannels: cora.numFeatures, outChannels: cora.numClasses, device: 'cpu' };

const runs = [];
for (const seed of seeds) {
  const spec = {
    model: modelName,
    layers: settings.layers,
    hidden: settings.hidden,
    dropout: settings.dropout,
    seed,
    alpha: settings.alpha,
    theta: settings.theta,
  };
  const options = entry.fromSpec(spec, io);
  if (modelName === 'gcnii' && settings.convWeightDecay !== undefined) options.convWeightDecay = settings.convWeightDecay;
  if (modelName === 'appnp' && settings.lin1WeightDecay !== undefined) options.lin1WeightDecay = settings.lin1WeightDecay;
  const model = modelName === 'gcnii' ? new GCNII(options) : new APPNPNet(options);
  const optimizer = new Adam(model.parameters(), { lr: settings.lr, weightDecay: settings.weightDecay });
  const t0 = performance.now();
  const onEpoch = (r) => {
    if (r.epoch % 100 === 0)
      console.error(
        `  seed ${seed} epoch ${r.epoch}: loss ${r.trainLoss.toFixed(3)}, val ${(100 * r.valAcc).toFixed(1)}%, best val ${(100 * r.bestValAcc).toFixed(1)}% at ${r.bestEpoch}, step ${r.stepMs.toFixed(0)} ms`,
      );
  };
  const result = await fit(model, data, { epochs: settings.epochs, patience: settings.patience, optimizer, onEpoch });
  const seconds = (performance.now() - t0) / 1000;
  const steps = result.history.map((h) => h.stepMs).sort((a, b) => a - b);
  const run = {
    seed,
    epochsRun: result.epochsRun,
    bestEpoch: result.bestEpoch,
    trainAcc: result.best.trainAcc,
    valAcc: result.best.valAcc,
    testAcc: result.best.testAcc,
    stepMsMedian: steps[Math.floor((steps.length - 1) / 2)],
    secondsPerEpoch: seconds / result.epochsRun,
    seconds,
    config: model.config(),
  };
  runs.push(run);
  console.log(
    `${modelName}${tag} seed ${seed}: test ${(100 * run.testAcc).toFixed(1)}% (val ${(100 * run.valAcc).toFixed(1)}%, best epoch ${run.bestEpoch}, ${run.epochsRun} epochs, step ${run.stepMsMedian.toFixed(1)} ms, ${(1000 * run.secondsPerEpoch).toFixed(1)} ms/epoch with evaluation)`,
  );
  optimizer.dispose();
  model.dispose();
}
const mean = runs.reduce((s, r) => s + r.testAcc, 0) / runs.length;
const sd = Math.sqrt(runs.reduce((s, r) => s + (r.testAcc - mean) ** 2, 0) / Math.max(1, runs.length - 1));
console.log(`${modelName}${tag}: mean test ${(100 * mean).toFixed(2)}% ± ${(100 * sd).toFixed(2)} over seeds ${seeds.join(',')}`);
writeFileSync(
  join(outDir, `${modelName}${tag}.json`),
  `${JSON.stringify({ settings, threads: process.env.OMP_NUM_THREADS ?? null, runs, meanTestAcc: mean, sdTestAcc: sd }, null, 2)}\n`,
);
data.dispose();
