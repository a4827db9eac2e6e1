// One DeeperGCN configuration on Cora (public split) over several seeds, as `fathom train` runs it
// (row-normalized features, Adam, early stopping on validation accuracy, test accuracy at the
// best-validation epoch), with every model option reachable: the exploration behind the defaults
// in experiments/deep-layers/deepergcn-results.md. One thread; results are deterministic.
// Usage (after `npm run build:ts`):
//   OMP_NUM_THREADS=1 node experiments/deep-layers/deepergcn/sweep.mjs --layers 28 --lr 0.005 --weight-decay 5e-3 \
//     [--seeds 0,1,2] [--epochs 500] [--patience 100] [--hidden 64] [--dropout 0.5] [--input-dropout p]
//     [--branch-dropout p] [--aggr softmax|power] [--t 1] [--learn-t true] [--p 1] [--learn-p true] [--mlp-layers 1] [--encoder-norm true] [--branch-scale 1]
//     [--block res+|reversible] [--norm layer|batch] [--msg-norm false] [--learn-msg-scale false]
//     [--self-loops false] [--edge-dropout 0] [--decay-weights-only false] [--encoder-weight-decay w]
//     [--zero-branches false] [--history file.jsonl]
// --decay-weights-only true sets weight decay 0 on every parameter but the Linear weights (LayerNorm
// gains and shifts, t, biases), through Parameter.weightDecay; --encoder-weight-decay w gives the
// encoder's weight its own decay w.
// Prints one JSON line per seed, then "mean test accuracy".
import {
  Adam,
  add,
  datasets,
  noGrad,
  scale,
  DeeperGCN,
  dropout,
  fit,
  GENBranch,
  NodeData,
  relu,
  setNumThreads,
  softmaxAggregate,
} from '../../../dist/esm/index.js';

const o = {
  seeds: '0,1,2',
  epochs: 500,
  patience: 100,
  layers: 28,
  hidden: 64,
  lr: 0.005,
  'weight-decay': 5e-3,
  dropout: 0.5,
  'input-dropout': undefined,
  'branch-dropout': undefined,
  aggr: 'softmax',
  t: 1,
  'learn-t': 'true',
  p: 1,
  'learn-p': 'true',
  'mlp-layers': 1,
  'encoder-norm': 'true',
  'branch-scale': 1,
  block: 'res+',
  'decay-weights-only': 'false',
  norm: 'layer',
  'msg-norm': 'false',
  'learn-msg-scale': 'false',
  'self-loops': 'false',
  'edge-dropout': 0,
  'encoder-weight-decay': undefined,
  'zero-branches': 'false',
  history: undefined,
  variant: 'none',
  adamw: undefined,
};
const text = new Set([
  'seeds',
  'aggr',
  'learn-p',
  'learn-t',
  'encoder-norm',
  'block',
  'decay-weights-only',
  'norm',
  'msg-norm',
  'learn-msg-scale',
  'self-loops',
  'zero-branches',
  'history',
  'variant',
]);
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in o)) throw new Error(`unknown option --${k}`);
  o[k] = text.has(k) ? process.argv[i + 1] : Number(process.argv[i + 1]);
}
// Branch variants (softmax aggregation, one-Linear update, LayerNorm only), patched in for the fourth round:
// drop-norm: GENConv(ReLU(Norm(Dropout(h)))), the norm rescales what dropout left;
// drop-update: GENConv's update Linear gets Dropout(a_i + h_i), the aggregation sees undropped messages.
if (o.variant !== 'none') {
  const variants = {
    'drop-norm': function (x, graph, options) {
      const d = dropout(x, this.dropout, { seed: options.dropoutSeed ?? 0, training: this.training });
      return this.genConv.forward(relu(this.norm.forward(d)), graph);
    },
    'drop-update': function (x, graph, options) {
      const c = this.genConv;
      const h = relu(this.norm.forward(x));
      const a = softmaxAggregate(c.operator(graph, 'sum'), h, null, c.t, { eps: c.eps });
      return c.mlp.forward(dropout(add(a, h), this.dropout, { seed: options.dropoutSeed ?? 0, training: this.training }));
    },
  };
  if (!(o.variant in variants)) throw new Error(`unknown --variant ${o.variant}`);
  GENBranch.prototype.conv = variants[o.variant];
}
setNumThreads(Number(process.env.OMP_NUM_THREADS ?? 1));
const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const tests = [];
for (const seed of o.seeds.split(',').map(Number)) {
  const model = new DeeperGCN({
    inChannels: cora.numFeatures,
    hiddenChannels: o.hidden,
    outChannels: cora.numClasses,
    numLayers: o.layers,
    block: o.block,
    dropout: o.dropout,
    inputDropout: o['input-dropout'],
    branchDropout: o['branch-dropout'],
    aggr: o.aggr,
    ...(o.aggr === 'power' ? { p: o.p, learnP: o['learn-p'] !== 'false' } : { t: o.t, learnT: o['learn-t'] !== 'false' }),
    mlpLayers: o['mlp-layers'],
    encoderNorm: o['encoder-norm'] !== 'false',
    branchScale: o['branch-scale'],
    norm: o.norm,
    msgNorm: o['msg-norm'] === 'true',
    learnMsgScale: o['learn-msg-scale'] === 'true',
    addSelfLoops: o['self-loops'] === 'true',
    edgeDropout: o['edge-dropout'],
    seed,
  });
  if (o['decay-weights-only'] === 'true') {
    // Decay only the Linear weights: not LayerNorm's gains and shifts, not t, not biases.
    for (const [name, p] of model.namedParameters()) if (!/(encoder|mlp|decoder|lin)\.weight$/.test(name) || /norm\./i.test(name)) p.weightDecay = 0;
  }
  if (o['encoder-weight-decay'] !== undefined) {
    // The encoder's weight (the 1433 → hidden projection of the bag of words) only.
    for (const [name, p] of model.namedParameters()) if (name === 'encoder.weight') p.weightDecay = o['encoder-weight-decay'];
  }
  if (o['zero-branches'] === 'true') {
    // Zero-initialized residual branches (torchvision's zero_init_residual, SkipInit): every
    // branch's update Linear starts at zero, so at initialization the stack is the first GENConv.
    for (const [name, p] of model.namedParameters())
      if (/^layer\d+\.genConv\.mlp\./.test(name)) {
        const z = p.zerosLike();
        p.assign(z);
        z.dispose();
      }
  }
  const optimizer = new Adam(model.parameters(), { lr: o.lr, weightDecay: o.adamw === undefined ? o['weight-decay'] : 0 });
  // --adamw w: decoupled weight decay (AdamW), p ← p·(1 − lr·w) before each Adam step.
  const callbacks = [];
  if (o.adamw !== undefined) {
    const params = model.parameters();
    callbacks.push({
      onBackward: () =>
        noGrad(() => {
          for (const p of params) {
            const s = scale(p, 1 - o.lr * o.adamw);
            p.assign(s);
            s.dispose();
          }
        }),
    });
  }
  const t0 = performance.now();
  const r = await fit(model, data, { epochs: o.epochs, optimizer, patience: o.patience, callbacks });
  const steps = r.history.map((h) => h.stepMs).sort((a, b) => a - b);
  const row = {
    seed,
    epochsRun: r.epochsRun,
    bestEpoch: r.bestEpoch,
    trainAcc: r.best.trainAcc,
    valAcc: r.best.valAcc,
    testAcc: r.best.testAcc,
    stepMsMedian: steps[steps.length >> 1],
    wallS: (performance.now() - t0) / 1000,
  };
  console.log(JSON.stringify(row));
  if (o.history) {
    const { appendFileSync } = await import('node:fs');
    const h = r.history.map((e) => [e.epoch, e.trainLoss, e.trainAcc, e.valLoss, e.valAcc, e.testAcc]);
    appendFileSync(o.history, `${JSON.stringify({ seed, flags: process.argv.slice(2).join(' '), history: h })}\n`);
  }
  tests.push(r.best.testAcc);
  optimizer.dispose();
  model.dispose();
}
data.dispose();
console.log(`mean test accuracy ${((100 * tests.reduce((a, b) => a + b, 0)) / tests.length).toFixed(1)} % over seeds ${o.seeds}`);
