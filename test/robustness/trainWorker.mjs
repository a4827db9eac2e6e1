// Worker program for workers.test.ts and terminateWorkers.mjs: imports the built package (its
// URL in workerData), trains a GCN on Texas and posts the per-epoch losses. With `numLayers`
// it trains that deep a GCN, and with `announce` it posts 'training' when the first epoch
// starts, so that a terminate() lands mid-training. A file, not `eval: true`: an eval'd worker
// defines a global __dirname of '.', which the package-root lookup would take for its own folder.
import { parentPort, workerData } from 'node:worker_threads';

if (!parentPort) throw new Error('trainWorker.mjs runs as a worker thread (see workers.test.ts)');

const { datasets, GCN, NodeData, fit } = await import(workerData.index);
const ds = datasets.loadDataset('texas', { normalizeFeatures: true });
const data = NodeData.from(ds);
const model = new GCN({
  inChannels: ds.numFeatures,
  hiddenChannels: workerData.hiddenChannels ?? 16,
  outChannels: ds.numClasses,
  numLayers: workerData.numLayers ?? 2,
  seed: workerData.seed,
});
if (workerData.announce) parentPort.postMessage('training');
const r = await fit(model, data, { epochs: workerData.epochs, patience: 0 });
model.dispose();
data.dispose();
parentPort.postMessage(r.history.map((/** @type {{ trainLoss: number }} */ h) => h.trainLoss));
