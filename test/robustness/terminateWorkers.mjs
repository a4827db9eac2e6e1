// Child program for workers.test.ts: terminates workers at random moments while they train a
// deep GCN (most of their time inside native calls), then trains in its own thread. It runs
// in a child process because the failure it guards against aborts the whole process.
// Usage: node terminateWorkers.mjs <dist index URL> <trials> <seed>
// Prints one JSON line: { terminated, delaysMs, live, losses }; `live` holds the live native
// tensors and bytes before the first worker starts and after the last one is gone.
import { Worker } from 'node:worker_threads';

const [index, trialsArg = '10', seedArg = '1'] = process.argv.slice(2);
const WORKER = new URL('./trainWorker.mjs', import.meta.url);

// A small seeded generator (mulberry32), so a failing run can be repeated.
let state = Number(seedArg) >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** @param {number} delayMs */
function terminateMidTraining(delayMs) {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, {
      workerData: { index, seed: 1, epochs: 1000, numLayers: 16, hiddenChannels: 64, announce: true },
    });
    w.once('error', reject);
    w.on('message', (m) => {
      if (m === 'training') setTimeout(() => void w.terminate(), delayMs);
      else reject(new Error('the worker finished training before it was terminated'));
    });
    w.once('exit', (code) => resolve(code));
  });
}

const { datasets, GCN, NodeData, fit, memory } = await import(index);
const before = memory().cpu;
const delaysMs = [];
let terminated = 0;
for (let i = 0; i < Number(trialsArg); i++) {
  const delay = Math.floor(random() * 300);
  delaysMs.push(delay);
  const code = await terminateMidTraining(delay);
  if (code === 1) terminated++;
}

const after = memory().cpu;
const ds = datasets.loadDataset('texas', { normalizeFeatures: true });
const data = NodeData.from(ds);
const model = new GCN({ inChannels: ds.numFeatures, hiddenChannels: 16, outChannels: ds.numClasses, seed: 1 });
const r = await fit(model, data, { epochs: 5, patience: 0 });
model.dispose();
data.dispose();
const live = { before: [before.tensors, before.bytes], after: [after.tensors, after.bytes] };
console.log(JSON.stringify({ terminated, delaysMs, live, losses: r.history.map((/** @type {{ trainLoss: number }} */ h) => h.trainLoss) }));
