// Loads a model saved by train-cora.mjs and predicts the class of every Cora node.
//   node examples/predict.mjs [model-file]
import { datasets, evaluate, loadModel, NodeData, noGrad } from 'fathom-gnn';

const file = process.argv[2] ?? 'gcn-cora.safetensors';
const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const model = loadModel(file).eval();
try {
  // Logits [N, C] without recording a graph for backward; a node's class is its largest logit.
  const logits = noGrad(() => model.forward(data.features, data.graph));
  const values = logits.toArray();
  logits.dispose();
  const c = cora.numClasses;
  const predicted = Array.from({ length: values.length / c }, (_, i) => {
    let best = 0;
    for (let k = 1; k < c; k++) if (values[i * c + k] > values[i * c + best]) best = k;
    return best;
  });
  console.log(`first ten nodes: predicted ${predicted.slice(0, 10).join(' ')}, labelled ${Array.from(data.labels.slice(0, 10)).join(' ')}`);
  console.log(`test accuracy of ${file}: ${(100 * evaluate(model, data).testAcc).toFixed(1)}%`);
} finally {
  model.dispose();
  data.dispose();
}
