// Trains a 2-layer GCN on Cora (bundled with the package) and saves it.
//   node examples/train-cora.mjs [model-file]        (default: gcn-cora.safetensors; EPOCHS=200)
import { datasets, fit, GCN, NodeData } from 'fathom-gnn';

const file = process.argv[2] ?? 'gcn-cora.safetensors';
const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
// Native memory is freed by dispose() (in TypeScript, `using` does it at the end of the block).
const data = NodeData.from(cora, { device: 'cpu' });
const model = new GCN({ inChannels: cora.numFeatures, hiddenChannels: 64, outChannels: cora.numClasses, dropout: 0.5, seed: 0 });
try {
  const result = await fit(model, data, {
    epochs: Number(process.env.EPOCHS ?? 200),
    lr: 0.01,
    weightDecay: 5e-4,
    patience: 100,
    onEpoch: (e) => {
      if (e.epoch % 20 === 0) console.log(`epoch ${e.epoch}: loss ${e.trainLoss.toFixed(3)}, val ${(100 * e.valAcc).toFixed(1)}%`);
    },
  });
  console.log(`test accuracy ${(100 * result.best.testAcc).toFixed(1)}% (best epoch ${result.bestEpoch})`);
  model.save(file);
  // fit() ends with the best-validation weights (restoreBest), the ones the summary reports.
  console.log(`saved the best epoch's weights to ${file}; predict with: node examples/predict.mjs ${file}`);
} finally {
  model.dispose();
  data.dispose();
}
