#!/usr/bin/env node
// What recording diagnostics costs fit(): res-gcn on Cora, trained with and without
// `diagnostics: { every }`, the two variants interleaved so that machine load hits both alike.
// Usage (after npm run build:ts): OMP_NUM_THREADS=1 node scripts/diagnostics-overhead.mjs [epochs] [reps] [depth] [every]
// An epoch count off the grid (49 with every 10) measures the in-loop records alone: a final
// state on the grid costs one extra forward/backward pass on top.
import { loadDataset } from '../dist/esm/data/loadDataset.js';
import { ResGCN } from '../dist/esm/models/ResGCN.js';
import { fit } from '../dist/esm/train/fit.js';
import { NodeData } from '../dist/esm/data/NodeData.js';

const [epochs = 49, reps = 4, depth = 64, every = 10] = process.argv.slice(2).map(Number);
const ds = loadDataset('cora');
const data = NodeData.from(ds);

async function run(withDiagnostics) {
  const model = new ResGCN({ inChannels: ds.numFeatures, outChannels: ds.numClasses, numLayers: depth, hiddenChannels: 64, seed: 0 });
  try {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await fit(model, data, { epochs, patience: 0, lr: 0.01, diagnostics: withDiagnostics ? { every } : undefined });
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, records: r.diagnostics.length, stepMs: r.history.map((h) => h.stepMs) };
  } finally {
    model.dispose();
  }
}

const plain = [];
const recorded = [];
for (let i = 0; i < reps; i++) {
  // Alternate which variant goes first, so a load trend does not favour one.
  const order = i % 2 === 0 ? [false, true] : [true, false];
  for (const d of order) (d ? recorded : plain).push(await run(d));
  console.error(
    `rep ${i + 1}/${reps}: plain ${plain.at(-1).ms.toFixed(0)} ms (cpu ${plain.at(-1).cpuMs.toFixed(0)}), with diagnostics ${recorded.at(-1).ms.toFixed(0)} ms (cpu ${recorded.at(-1).cpuMs.toFixed(0)})`,
  );
}
const total = (xs) => xs.reduce((a, r) => a + r.ms, 0);
const cpu = (xs) => xs.reduce((a, r) => a + r.cpuMs, 0);
// Steps that measured a record (epochs 1, every + 1, ...) against the same steps without.
const measuredSteps = (r) => r.stepMs.filter((_, i) => i % every === 0).reduce((a, b) => a + b, 0);
const result = {
  dataset: 'cora',
  model: 'res-gcn',
  depth,
  epochs,
  every,
  reps,
  threads: process.env.OMP_NUM_THREADS ?? 'default',
  records: recorded[0].records,
  plainMs: total(plain),
  withDiagnosticsMs: total(recorded),
  overheadPct: (100 * (total(recorded) - total(plain))) / total(plain),
  // With one thread, CPU time is the work itself: the load of other processes inflates wall
  // time far more than it does CPU time.
  plainCpuMs: cpu(plain),
  withDiagnosticsCpuMs: cpu(recorded),
  cpuOverheadPct: (100 * (cpu(recorded) - cpu(plain))) / cpu(plain),
  cpuOverheadPctPerRep: plain.map((p, i) => (100 * (recorded[i].cpuMs - p.cpuMs)) / p.cpuMs),
  perRecordMs: (recorded.reduce((a, r) => a + measuredSteps(r), 0) - plain.reduce((a, r) => a + measuredSteps(r), 0)) / (reps * Math.ceil(epochs / every)),
  meanEpochMs: total(plain) / (reps * epochs),
};
console.log(JSON.stringify(result, null, 2));
