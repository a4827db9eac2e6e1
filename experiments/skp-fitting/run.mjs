// Fitting test at depth (docs/methods.md §2.3): can a K = 2 SKP stack (terms P and I, width 64) fit
// every Cora label where the one-operator KP stack (P only, width 128: twice the weights per layer)
// of the same depth cannot? Encoder Linear(F→w) + ReLU, L SKP/KP layers + ReLU, decoder; SKP
// weights He-initialized on the concatenated fan-in, N(0, 2/(K·w)); no dropout, no weight decay,
// Adam lr 1e-3, full batch, loss on all labelled nodes (allLabelsSplit), no early stopping; the
// last epoch's weights are kept. Per-layer effective rank and σ₂/σ₁ every 100 epochs (0 included).
// Plain JS over the built package: run `npm run build:ts` first.
//
//   OMP_NUM_THREADS=1 node experiments/skp-fitting/run.mjs [--depths 8,32,64] [--seeds 0,1,2]
//     [--models skp,kp] [--epochs 500] [--every 100] [--lr 1e-3] [--out results]
//
// Appends one cell record per run to OUT/cells.jsonl (the sweep format: `fathom report` draws it),
// skipping cells already there, so an interrupted run list resumes where it stopped.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { datasets, fit, NodeData } from '../../dist/esm/index.js';
import { appendCell, readCells } from '../../dist/esm/experiments/cellRecord.js';
import { SKP } from '../../dist/esm/models/SKP.js';
import { provenance } from '../../dist/esm/runtime/provenance.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const depths = opt('depths', '8,32,64').split(',').map(Number);
const seeds = opt('seeds', '0,1,2').split(',').map(Number);
const models = opt('models', 'skp,kp').split(',');
const epochs = Number(opt('epochs', '500'));
const every = Number(opt('every', '100'));
const lr = Number(opt('lr', '1e-3'));
const dataset = opt('dataset', 'cora');
const outDir = resolve(here, opt('out', 'results'));
mkdirSync(outDir, { recursive: true });

const settings = {
  dataset,
  hidden: 64,
  kpWidth: 128,
  terms: ['gcn', 'identity'],
  init: 'gnn-he',
  dropout: 0,
  weightDecay: 0,
  lr,
  epochs,
  patience: 0,
  loss: 'all labelled nodes',
  diagnosticsEvery: every,
};
writeFileSync(
  join(outDir, 'sweep.resolved.json'),
  JSON.stringify({ name: 'skp-fitting', description: 'SKP (P + I, width 64) vs KP (P, width 128) fitting every Cora label at depth', ...settings }, null, 2),
);

const cellsPath = join(outDir, 'cells.jsonl');
const done = new Set(readCells(cellsPath).records.map((r) => r.id));
const ds = datasets.allLabelsSplit(datasets.loadDataset(dataset, { normalizeFeatures: true }));
const data = NodeData.from(ds, { device: 'cpu' });
const runInfo = provenance('cpu');

for (const seed of seeds) {
  for (const depth of depths) {
    for (const name of models) {
      const id = `${dataset}/${name}/depth=${depth}/seed=${seed}`;
      if (done.has(id)) continue;
      const t0 = performance.now();
      const model = new SKP({
        inChannels: ds.numFeatures,
        hiddenChannels: settings.hidden,
        outChannels: ds.numClasses,
        numLayers: depth,
        kp: name === 'kp',
        kpWidth: settings.kpWidth,
        terms: settings.terms,
        init: settings.init,
        dropout: settings.dropout,
        seed,
      });
      const history = [];
      const steps = [];
      const result = await fit(model, data, {
        epochs,
        lr: settings.lr,
        weightDecay: settings.weightDecay,
        patience: 0,
        restoreBest: false,
        diagnostics: { every, metrics: ['effectiveRank', 'sigmaRatio'] },
        onEpoch: (r) => {
          history.push({
            epoch: r.epoch,
            trainLoss: Number.isFinite(r.trainLoss) ? r.trainLoss : null,
            trainAcc: r.trainAcc,
            valAcc: r.valAcc,
            testAcc: r.testAcc,
          });
          steps.push(r.stepMs);
          if (r.epoch % 50 === 0) console.error(`${id} epoch ${r.epoch} loss ${r.trainLoss.toFixed(4)} acc ${(100 * r.trainAcc).toFixed(1)}%`);
        },
      });
      const pick = (r) => ({ epoch: r.epoch, trainLoss: r.trainLoss, trainAcc: r.trainAcc, valAcc: r.valAcc, testAcc: r.testAcc });
      steps.sort((a, b) => a - b);
      appendCell(cellsPath, {
        id,
        params: { dataset, method: name, model: name, depth, seed, width: model.width, parameters: model.numParameters() },
        status: 'ok',
        epochsRun: result.epochsRun,
        final: pick(result.last),
        best: pick(result.best),
        history,
        diagnostics: result.diagnostics,
        wallMs: performance.now() - t0,
        stepMsMedian: steps[Math.floor((steps.length - 1) / 2)],
        finishedAt: new Date().toISOString(),
        featureSource: ds.featureSource,
        provenance: runInfo,
      });
      model.dispose();
      const maxAcc = Math.max(...history.map((h) => h.trainAcc));
      console.log(
        JSON.stringify({
          id,
          finalTrainAcc: result.last.trainAcc,
          maxTrainAcc: maxAcc,
          finalLoss: result.last.trainLoss,
          seconds: (performance.now() - t0) / 1000,
        }),
      );
    }
  }
}
data.dispose();
