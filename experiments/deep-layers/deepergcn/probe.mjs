// The first training steps of DeeperGCN on Cora, seen through the node-independent part of the
// hidden representation: for the encoder's output and some layers' outputs, eval mode, before
// each step, "ratio/common" where common = rms over channels of the mean over nodes (what every
// node shares) and ratio = (rms of the deviations from that mean) / common (what tells nodes
// apart). A ratio falling towards 0 while common grows is the collapse docs/methods.md §2.7
// describes. Full batch, Adam, one thread.
// Usage (after `npm run build:ts`):
//   OMP_NUM_THREADS=1 node experiments/deep-layers/deepergcn/probe.mjs --encoder-norm false --weight-decay 5e-4   # the original plain encoder
//   OMP_NUM_THREADS=1 node experiments/deep-layers/deepergcn/probe.mjs                                             # the default
import { Adam, backward, datasets, DeeperGCN, logSoftmax, NodeData, nllLoss, noGrad, setNumThreads, tidy } from '../../../dist/esm/index.js';

const o = { layers: 28, steps: 15, lr: 0.005, 'weight-decay': 5e-3, 'encoder-norm': 'true', 'mlp-layers': 1, dropout: 0.5, seed: 0 };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in o)) throw new Error(`unknown option --${k}`);
  o[k] = k === 'encoder-norm' ? process.argv[i + 1] : Number(process.argv[i + 1]);
}
setNumThreads(Number(process.env.OMP_NUM_THREADS ?? 1));
const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const model = new DeeperGCN({
  inChannels: cora.numFeatures,
  hiddenChannels: 64,
  outChannels: cora.numClasses,
  numLayers: o.layers,
  dropout: o.dropout,
  encoderNorm: o['encoder-norm'] !== 'false',
  mlpLayers: o['mlp-layers'],
  seed: o.seed,
});
const optimizer = new Adam(model.parameters(), { lr: o.lr, weightDecay: o['weight-decay'] });

function split(t) {
  const a = t.toArray();
  const [n, f] = t.shape;
  const mean = new Float64Array(f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) mean[j] += a[i * f + j] / n;
  let dev = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) dev += (a[i * f + j] - mean[j]) ** 2 / (n * f);
  const common = Math.sqrt(mean.reduce((s, m) => s + (m * m) / f, 0));
  return `${(Math.sqrt(dev) / common).toFixed(3)}/${common.toExponential(1)}`;
}

const shown = [0, 1, 2, 5, 10, 20, o.layers].filter((l, i, all) => l <= o.layers && all.indexOf(l) === i);
console.log(`step | train loss | eval loss | ${shown.map((l) => (l === 0 ? 'encoder' : `h${l}`)).join(' | ')} | logits`);
for (let step = 0; step <= o.steps; step++) {
  model.eval();
  const line = noGrad(() =>
    tidy(() => {
      const { logits, features } = model.forwardFeatures(data.features, data.graph);
      const loss = nllLoss(logSoftmax(logits), data.y, data.trainMask).item();
      return `${loss.toFixed(3)} | ${shown.map((l) => split(features[l])).join(' | ')} | ${split(logits)}`;
    }),
  );
  model.train();
  const trainLoss = tidy(() => {
    const loss = nllLoss(logSoftmax(model.forward(data.features, data.graph)), data.y, data.trainMask);
    backward(loss);
    optimizer.step();
    optimizer.zeroGrad();
    return loss.item();
  });
  console.log(`${step} | ${trainLoss.toFixed(3)} | ${line}`);
}
optimizer.dispose();
model.dispose();
data.dispose();
