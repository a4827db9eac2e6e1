#!/usr/bin/env node
// What recording diagnostics costs a training step, with the two variants interleaved epoch by
// epoch: two identical res-gcn models train on Cora at once (fit() yields after every step and
// evaluation, so their steps alternate) and only the recording one has `diagnostics: { every }`.
// Machine load hits both alike. Reports the training-step wall time of each (stepMs: forward,
// backward, recording, optimizer) and the recording cost relative to the plain steps; evaluation
// is left out of the denominator, so the figure overstates the share of a whole epoch.
// Usage (after npm run build:ts): OMP_NUM_THREADS=1 node scripts/diagnostics-overhead-interleaved.mjs [epochs] [depth] [every]
import { loadDataset } from '../dist/esm/data/loadDataset.js';
import { ResGCN } from '../dist/esm/models/ResGCN.js';
import { fit } from '../dist/esm/train/fit.js';
import { NodeData } from '../dist/esm/data/NodeData.js';

const [epochs = 49, depth = 64, every = 10] = process.argv.slice(2).map(Number);
const ds = loadDataset('cora');
const data = NodeData.from(ds);
const make = () => new ResGCN({ inChannels: ds.numFeatures, outChannels: ds.numClasses, numLayers: depth, hiddenChannels: 64, seed: 0 });
const plainModel = make();
const recordingModel = make();
const [plain, recorded] = await Promise.all([
  fit(plainModel, data, { epochs, patience: 0 }),
  fit(recordingModel, data, { epochs, patience: 0, diagnostics: { every } }),
]);
const sum = (r) => r.history.reduce((a, h) => a + h.stepMs, 0);
const onGrid = (r) => r.history.filter((h) => (h.epoch - 1) % every === 0).reduce((a, h) => a + h.stepMs, 0);
console.log(
  JSON.stringify(
    {
      dataset: 'cora',
      model: 'res-gcn',
      depth,
      epochs,
      every,
      threads: process.env.OMP_NUM_THREADS ?? 'default',
      records: recorded.diagnostics.length,
      plainStepMs: sum(plain),
      recordingStepMs: sum(recorded),
      stepOverheadPct: (100 * (sum(recorded) - sum(plain))) / sum(plain),
      perRecordMs: (onGrid(recorded) - onGrid(plain)) / recorded.diagnostics.length,
      meanPlainStepMs: sum(plain) / epochs,
    },
    null,
    2,
  ),
);
plainModel.dispose();
recordingModel.dispose();
