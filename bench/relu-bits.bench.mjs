// Native tensor bytes at the peak of a res-gcn training step (forward, NLL, backward) on Cora,
// over those live before it, with and without branch dropout: the memory ReLU masks kept as bits
// save. --root loads another checkout's dist/ (an older commit, built there) for the "before".
//   node bench/relu-bits.bench.mjs [--root DIR] [--depth 64] [--hidden 64] [--branch-dropout 0,0.5]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    root: { type: 'string', default: resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..') },
    depth: { type: 'string', default: '64' },
    hidden: { type: 'string', default: '64' },
    'branch-dropout': { type: 'string', default: '0,0.5' },
  },
});
const F = await import(pathToFileURL(resolve(a.root, 'dist/esm/index.js')).href);
F.setNumThreads(1);
const ds = F.datasets.loadDataset('cora', { normalizeFeatures: true });
const data = F.NodeData.from(ds);
for (const branchDropout of a['branch-dropout'].split(',').map(Number)) {
  const model = new F.ResGCN({
    inChannels: ds.numFeatures,
    outChannels: ds.numClasses,
    hiddenChannels: Number(a.hidden),
    numLayers: Number(a.depth),
    seed: 0,
    branchDropout,
  });
  const steps = [];
  // Two steps: the second runs with every cache (operators, allocator) warm.
  for (let s = 0; s < 2; s++) {
    model.train();
    const before = F.memory().cpu.bytes;
    F.resetPeakMemory();
    const loss = F.tidy(() => {
      const l = F.nllLoss(F.logSoftmax(model.forward(data.features, data.graph)), data.y, data.trainMask);
      F.backward(l);
      for (const p of model.parameters()) {
        p.grad?.dispose();
        p.grad = null;
      }
      return l.item();
    });
    steps.push({ loss, step_peak_tensor_mb: (F.memory().cpu.peakBytes - before) / 2 ** 20 });
  }
  model.dispose();
  console.log(
    JSON.stringify({
      root: a.root,
      dataset: 'cora',
      nodes: ds.numNodes,
      depth: Number(a.depth),
      hidden: Number(a.hidden),
      branch_dropout: branchDropout,
      losses: steps.map((s) => s.loss),
      step_peak_tensor_mb: steps[1].step_peak_tensor_mb,
    }),
  );
}
data.dispose();
