// Balanced initialization of deep GATs on Cora (source 3, docs/methods.md §3): GATv2 with shared
// weights, 1 head, width 64, no dropout, no weight decay, trained from Glorot, BalX or BalO init.
// Usage (after `npm run build:ts` and the native build):
//   node experiments/gat-balance/run.mjs --depths 10,20 --inits balanced-o,glorot --opt sgd \
//     --lr 0.1 --epochs 1000 --seed 0
// Writes one JSON file per run to experiments/gat-balance/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { datasets, NodeData, fit, GatBalanceTracker, SGD, Adam } from '../../dist/esm/index.js';
import { GAT } from '../../dist/esm/models/GAT.js';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = { depths: [10, 20], inits: ['balanced-o', 'glorot'], opt: 'sgd', lr: undefined, epochs: 1000, seed: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i].replace(/^--/, ''), argv[i + 1]];
    if (k === 'depths') o.depths = v.split(',').map(Number);
    else if (k === 'inits') o.inits = v.split(',');
    else if (k === 'opt') o.opt = v;
    else if (k === 'lr') o.lr = Number(v);
    else if (k === 'epochs') o.epochs = Number(v);
    else if (k === 'seed') o.seed = Number(v);
    else throw new Error(`unknown option --${k}`);
  }
  o.lr ??= o.opt === 'sgd' ? 0.1 : 0.005;
  return o;
}

const args = parseArgs(process.argv.slice(2));
const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
mkdirSync(join(here, 'results'), { recursive: true });

for (const depth of args.depths) {
  for (const init of args.inits) {
    const model = new GAT({
      inChannels: cora.numFeatures,
      hiddenChannels: 64,
      outChannels: cora.numClasses,
      numLayers: depth,
      heads: 1,
      version: 'v2',
      shareWeights: true,
      dropout: 0,
      init,
      seed: args.seed,
    });
    const params = model.parameters();
    const optimizer = args.opt === 'sgd' ? new SGD(params, { lr: args.lr }) : new Adam(params, { lr: args.lr });
    let maxTrainAcc = 0;
    let firstPerfect = null;
    let best = null;
    const t0 = performance.now();
    const file = join(here, 'results', `${args.opt}-L${depth}-${init}-s${args.seed}.json`);
    const header = {
      dataset: 'cora',
      model: 'gatv2-shared',
      heads: 1,
      hidden: 64,
      depth,
      init,
      optimizer: args.opt,
      lr: args.lr,
      weightDecay: 0,
      dropout: 0,
      seed: args.seed,
      maxEpochs: args.epochs,
    };
    // The balance when training starts and when it ends.
    const balance = new GatBalanceTracker({ every: args.epochs });
    let lastEpoch = null;
    let result = null;
    let diverged = null;
    // A non-finite loss (SGD at lr 0.1 can diverge at depth) ends the run, not the run list:
    // the record keeps the epochs before it and says where it stopped.
    try {
      result = await fit(model, data, {
        epochs: args.epochs,
        optimizer,
        patience: 0,
        callbacks: [balance],
        onEpoch: (e) => {
          lastEpoch = e;
          maxTrainAcc = Math.max(maxTrainAcc, e.trainAcc);
          if (firstPerfect === null && e.trainAcc === 1) firstPerfect = e.epoch;
          if (best === null || e.valAcc > best.valAcc) best = e;
          // A partial record every 25 epochs, so a run cut short still leaves its figures.
          if (e.epoch % 25 === 0) {
            const partial = {
              ...header,
              partial: true,
              epochsSoFar: e.epoch,
              bestEpoch: best.epoch,
              best: { trainAcc: best.trainAcc, valAcc: best.valAcc, testAcc: best.testAcc, trainLoss: best.trainLoss },
              last: { trainAcc: e.trainAcc, valAcc: e.valAcc, testAcc: e.testAcc, trainLoss: e.trainLoss },
              maxTrainAcc,
              firstPerfectTrainEpoch: firstPerfect,
              wallS: (performance.now() - t0) / 1000,
            };
            writeFileSync(file, `${JSON.stringify(partial, null, 2)}\n`);
          }
        },
      });
    } catch (e) {
      if (e?.code !== 'NUMERIC') throw e;
      diverged = e.message;
    }
    const wallS = (performance.now() - t0) / 1000;
    if (diverged) {
      const pick = (e) => ({ trainAcc: e.trainAcc, valAcc: e.valAcc, testAcc: e.testAcc, trainLoss: e.trainLoss });
      const record = {
        ...header,
        partial: false,
        diverged,
        epochs: lastEpoch?.epoch ?? 0,
        bestEpoch: best?.epoch ?? null,
        best: best && pick(best),
        last: lastEpoch && pick(lastEpoch),
        maxTrainAcc,
        firstPerfectTrainEpoch: firstPerfect,
        balanceMaxAbsAtInit: balance.records[0]?.maxAbs ?? null,
        balanceMaxAbsAtEnd: null,
        stepMsMedian: null,
        wallS,
      };
      writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      console.log(JSON.stringify({ depth, init, opt: args.opt, diverged, best: record.best, maxTrainAcc }));
      optimizer.dispose?.();
      model.dispose();
      continue;
    }
    const stepMs = result.history.map((e) => e.stepMs).sort((a, b) => a - b);
    const record = {
      ...header,
      partial: false,
      epochs: result.epochsRun,
      bestEpoch: result.bestEpoch,
      best: { trainAcc: result.best.trainAcc, valAcc: result.best.valAcc, testAcc: result.best.testAcc, trainLoss: result.best.trainLoss },
      last: { trainAcc: result.last.trainAcc, valAcc: result.last.valAcc, testAcc: result.last.testAcc, trainLoss: result.last.trainLoss },
      maxTrainAcc,
      firstPerfectTrainEpoch: firstPerfect,
      balanceMaxAbsAtInit: balance.records[0].maxAbs,
      balanceMaxAbsAtEnd: balance.records.at(-1).maxAbs,
      stepMsMedian: stepMs[Math.floor(stepMs.length / 2)],
      wallS,
    };
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(JSON.stringify({ depth, init, opt: args.opt, best: record.best, maxTrainAcc, epochs: record.epochs, stepMsMedian: record.stepMsMedian }));
    optimizer.dispose?.();
    model.dispose();
  }
}
data.dispose();
