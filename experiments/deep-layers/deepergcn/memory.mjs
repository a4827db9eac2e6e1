// Memory of one DeeperGCN training step on Cora (forward + backward of a fresh model, f32, CPU,
// default options): peak live native bytes (memory().cpu.peakBytes after resetPeakMemory(), i.e.
// parameters, gradients and activations) and the process's peak RSS, each configuration in its
// own child process. Usage (after `npm run build:ts`):
//   OMP_NUM_THREADS=1 node experiments/deep-layers/deepergcn/memory.mjs                 # all rows
//   OMP_NUM_THREADS=1 node experiments/deep-layers/deepergcn/memory.mjs <block> <layers>  # one row (JSON)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { backward, datasets, DeeperGCN, logSoftmax, memory, nllLoss, NodeData, resetPeakMemory, setNumThreads, tidy } from '../../../dist/esm/index.js';

const [block, layers] = process.argv.slice(2);
if (block) {
  setNumThreads(Number(process.env.OMP_NUM_THREADS ?? 1));
  const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
  const data = NodeData.from(cora, { device: 'cpu' });
  const model = new DeeperGCN({ inChannels: cora.numFeatures, hiddenChannels: 64, outChannels: cora.numClasses, numLayers: Number(layers), block, seed: 0 });
  const base = memory().cpu.bytes;
  resetPeakMemory();
  const t0 = performance.now();
  tidy(() => backward(nllLoss(logSoftmax(model.forward(data.features, data.graph)), data.y, data.trainMask)));
  const stepMs = performance.now() - t0;
  const paramMB = (model.numParameters() * 4) / 2 ** 20;
  console.log(
    JSON.stringify({
      block,
      layers: Number(layers),
      paramMB,
      peakNativeMB: memory().cpu.peakBytes / 2 ** 20,
      peakAboveBaseMB: (memory().cpu.peakBytes - base) / 2 ** 20,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      stepMs,
    }),
  );
  model.dispose();
  data.dispose();
} else {
  console.log('| block | layers | parameters MB | peak native MB (step) | peak native above the model and data MB | peak RSS MB | step ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [b, l] of [
    ['res+', 28],
    ['reversible', 28],
    ['res+', 112],
    ['reversible', 112],
  ]) {
    const r = JSON.parse(
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), b, String(l)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop(),
    );
    console.log(
      `| ${r.block} | ${r.layers} | ${r.paramMB.toFixed(1)} | ${r.peakNativeMB.toFixed(1)} | ${r.peakAboveBaseMB.toFixed(1)} | ${r.maxRssMB.toFixed(0)} | ${r.stepMs.toFixed(0)} |`,
    );
  }
}
