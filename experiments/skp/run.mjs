// SKP vs KP on Cora at several depths, and the linear GNN with and without skip connections
// (docs/methods.md §2.3, §2.4, §4). Plain JS over the built package: run `npm run build:ts` first.
//
//   node experiments/skp/run.mjs [skp|linear|all] [--seeds 0,1,2] [--depths 8,32] [--epochs 200]
//     [--linear-depths 2,8,16] [--linear-steps 300] [--tag _suffix] [--init glorot|orthogonal]
//     [--models skp,kp]
//
// Writes one JSON file per part to experiments/skp/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { backward, datasets, fit, NodeData, noGrad, tidy, Tensor, Adam } from '../../dist/esm/index.js';
import { rankDiagnostics } from '../../dist/esm/diagnostics/rank.js';
import { linearRate } from '../../dist/esm/diagnostics/linearRate.js';
import { mseLoss } from '../../dist/esm/functional/mseLoss.js';
import { LinearGNN } from '../../dist/esm/models/LinearGNN.js';
import { SKP } from '../../dist/esm/models/SKP.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });

const args = process.argv.slice(2);
const part = args[0] && !args[0].startsWith('--') ? args[0] : 'all';
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const seeds = opt('seeds', '0').split(',').map(Number);
const depths = opt('depths', '8,32').split(',').map(Number);
const epochs = Number(opt('epochs', '200'));
const linearDepths = opt('linear-depths', '2,8,16').split(',').map(Number);
const linearSteps = Number(opt('linear-steps', '300'));
// Suffix of the result files, so parts run separately (other depths, seeds) do not overwrite each other.
const tag = opt('tag', '');
const init = opt('init', 'glorot'); // SKP weights: glorot or orthogonal
const models = opt('models', 'skp,kp').split(',');

const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const N = cora.numNodes;

/** σ₂/σ₁ and effective rank of the last hidden layer's features (before the decoder). */
function finalRank(model) {
  return noGrad(() =>
    tidy(() => {
      model.eval();
      const dec = model.decoder;
      let captured = null;
      const orig = dec.forward.bind(dec);
      dec.forward = (h) => {
        captured = h.toArray();
        return orig(h);
      };
      model.forward(data.x, data.graph);
      dec.forward = orig;
      const r = rankDiagnostics(captured, N, model.width);
      return { sigmaRatio: r.sigmaRatio, effectiveRank: r.effectiveRank, numericalRank: r.numericalRank };
    }),
  );
}

async function runSkp() {
  const hidden = 64;
  const settings = { hidden, epochs, lr: 0.005, weightDecay: 5e-4, dropout: 0.2, patience: 100, terms: ['gcn', 'identity'], init };
  const runs = [];
  for (const depth of depths) {
    for (const kp of models.map((m) => m === 'kp')) {
      for (const seed of seeds) {
        const model = new SKP({
          inChannels: cora.numFeatures,
          hiddenChannels: hidden,
          outChannels: cora.numClasses,
          numLayers: depth,
          kp,
          dropout: settings.dropout,
          init,
          seed,
        });
        const rankInit = finalRank(model);
        const t0 = performance.now();
        const result = await fit(model, data, { epochs, lr: settings.lr, weightDecay: settings.weightDecay, patience: settings.patience });
        const seconds = (performance.now() - t0) / 1000;
        const rankTrained = finalRank(model);
        const run = {
          model: model.name,
          depth,
          seed,
          width: model.width,
          parameters: model.numParameters(),
          epochsRun: result.epochsRun,
          bestEpoch: result.bestEpoch,
          trainAcc: result.best.trainAcc,
          valAcc: result.best.valAcc,
          testAcc: result.best.testAcc,
          trainLossLast: result.last.trainLoss,
          rankInit,
          rankTrained,
          seconds,
        };
        runs.push(run);
        model.dispose();
        console.log(JSON.stringify(run));
        writeFileSync(join(outDir, `skp_vs_kp${tag}.json`), JSON.stringify({ dataset: 'cora', settings, runs }, null, 2));
      }
    }
  }
}

function runLinear() {
  const C = cora.numClasses;
  const onehot = new Float32Array(N * C);
  cora.y.forEach((c, i) => (onehot[i * C + c] = 1));
  const target = Tensor.from(onehot, [N, C]);
  const hidden = 64;
  const settings = { hidden, steps: linearSteps, optimizer: 'adam', lr: 0.01, operator: 'gcn', loss: 'mse (mean over training nodes)' };
  const runs = [];
  for (const depth of linearDepths) {
    for (const skip of [false, true]) {
      for (const seed of seeds) {
        const model = new LinearGNN({ inChannels: cora.numFeatures, hiddenChannels: hidden, outChannels: C, numLayers: depth, skip, seed });
        const t0 = performance.now();
        const rate = linearRate(model, data.x, data.graph, cora.trainMask, onehot);
        const rateSeconds = (performance.now() - t0) / 1000;
        const opt = new Adam(model.parameters(), { lr: settings.lr });
        const losses = [];
        for (let s = 0; s < linearSteps; s++) {
          losses.push(
            tidy(() => {
              opt.zeroGrad();
              const loss = mseLoss(model.forward(data.x, data.graph), target, data.trainMask);
              backward(loss);
              return loss.item();
            }),
          );
          opt.step();
        }
        const acc = noGrad(() =>
          tidy(() => {
            const pred = model.forward(data.x, data.graph).toArray();
            const res = {};
            for (const [name, mask] of Object.entries(data.masks)) {
              let ok = 0;
              let n = 0;
              for (let i = 0; i < N; i++) {
                if (!mask[i]) continue;
                n++;
                let best = 0;
                for (let c = 1; c < C; c++) if (pred[i * C + c] > pred[i * C + best]) best = c;
                if (best === cora.y[i]) ok++;
              }
              res[name] = ok / n;
            }
            return res;
          }),
        );
        const pick = (s) => losses[Math.min(s, losses.length - 1)];
        const run = {
          model: model.name,
          depth,
          seed,
          sigma2: rate.sigma2,
          lambda: rate.lambda,
          kappa: rate.kappa,
          rankG: rate.rank,
          lossStarSum: rate.lossStar,
          loss0: losses[0],
          loss10: pick(10),
          loss50: pick(50),
          loss100: pick(100),
          lossLast: losses.at(-1),
          trainAcc: acc.train,
          valAcc: acc.val,
          testAcc: acc.test,
          rateSeconds,
        };
        runs.push(run);
        opt.dispose?.();
        model.dispose();
        console.log(JSON.stringify(run));
        writeFileSync(join(outDir, `linear_gnn${tag}.json`), JSON.stringify({ dataset: 'cora', settings, runs }, null, 2));
      }
    }
  }
  target.dispose();
}

if (part === 'skp' || part === 'all') await runSkp();
if (part === 'linear' || part === 'all') runLinear();
data.dispose();
