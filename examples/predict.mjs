// Loads a model saved by train-cora.mjs and predicts the class of every Cora node.
//   node examples/predict.mjs [model-file]
import { datasets, loadModel, NodeData } from 'fathom-gnn';

const file = process.argv[2] ?? 'gcn-cora.safetensors';
const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const model = loadModel(file);
try {
  // Eval mode, no gradients, nothing left allocated: class ids and probabilities [N, C].
  const all = model.predict(data.features, data.graph);
  console.log(`first ten nodes: predicted ${Array.from(all.classes.slice(0, 10)).join(' ')}, labelled ${Array.from(data.labels.slice(0, 10)).join(' ')}`);
  const test = model.predict(data.features, data.graph, { nodes: data.masks.test });
  const hits = test.nodes.reduce((n, node, i) => n + (test.classes[i] === data.labels[node] ? 1 : 0), 0);
  console.log(`test accuracy of ${file}: ${((100 * hits) / test.nodes.length).toFixed(1)}%`);
} finally {
  model.dispose();
  data.dispose();
}
