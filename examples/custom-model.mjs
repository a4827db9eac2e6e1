// A model of your own: any NodeModel subclass trains with fit(). This one is a GCN layer, a
// residual GCN layer and a linear read-out.
//   node examples/custom-model.mjs        (EPOCHS=100)
import { add, datasets, fit, GCNConv, Linear, loadStateDict, NodeData, NodeModel, relu, saveStateDict } from 'fathom-gnn';

class ResidualGCN extends NodeModel {
  name = 'residual-gcn';

  constructor(inChannels, hidden, outChannels) {
    super();
    // build() disposes what was registered when a constructor throws half-way.
    this.build(() => {
      this.conv1 = this.registerModule('conv1', new GCNConv(inChannels, hidden, { seed: 1 }));
      this.conv2 = this.registerModule('conv2', new GCNConv(hidden, hidden, { seed: 2 }));
      this.out = this.registerModule('out', new Linear(hidden, outChannels, { seed: 3 }));
    });
  }

  forward(x, graph) {
    const h = relu(this.conv1.forward(x, graph));
    return this.out.forward(add(h, relu(this.conv2.forward(h, graph))));
  }
}

const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const model = new ResidualGCN(cora.numFeatures, 32, cora.numClasses);
try {
  const result = await fit(model, data, { epochs: Number(process.env.EPOCHS ?? 100), lr: 0.01, weightDecay: 5e-4 });
  console.log(`${model.name} (${model.numParameters()} parameters): test accuracy ${(100 * result.best.testAcc).toFixed(1)}%`);
  // A model without config() saves its weights by name (a state dict in safetensors) and loads
  // them into an instance built the same way.
  saveStateDict('residual-gcn.safetensors', model);
  const twin = new ResidualGCN(cora.numFeatures, 32, cora.numClasses);
  try {
    loadStateDict('residual-gcn.safetensors', twin);
    console.log('reloaded the weights into a second instance: residual-gcn.safetensors');
  } finally {
    twin.dispose();
  }
} finally {
  model.dispose();
  data.dispose();
}
