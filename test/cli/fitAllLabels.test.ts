import { describe, expect, it } from 'vitest';

import { noGrad } from '../../lib/autograd/gradMode.js';
import { runTrainJob, TRAIN_DEFAULTS } from '../../lib/cli/trainJob.js';
import { loadDataset } from '../../lib/data/loadDataset.js';
import { NodeData } from '../../lib/data/NodeData.js';
import { buildModel, resolveSpec } from '../../lib/models/registry.js';
import { runCli } from '../helpers/runCli.js';

// Raw bag-of-words features: larger initial logits than row-normalized ones, so that the loss
// over all nodes and over the training mask differ well above f32 rounding.
const cora = loadDataset('cora', { normalizeFeatures: false });
const spec = { model: 'gcn', layers: 2, hidden: 16, dropout: 0, seed: 4 };

/** Mean cross-entropy over the masked nodes of the initial model's logits, in float64. */
function initialLoss(mask: Uint8Array): number {
  using data = NodeData.from(cora, { device: 'cpu' });
  using model = buildModel(resolveSpec(spec), { inChannels: cora.numFeatures, outChannels: cora.numClasses, device: 'cpu' });
  const logits = noGrad(() => {
    using out = model.forward(data.features, data.graph);
    return out.toArray();
  });
  const C = cora.numClasses;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < cora.numNodes; i++) {
    if (!mask[i]) continue;
    const row = Array.from(logits.subarray(i * C, (i + 1) * C));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
    sum += lse - row[cora.y[i]!]!;
    n++;
  }
  return sum / n;
}

describe('fathom train --fit-all-labels', () => {
  it('takes the loss over every labelled node, not the 140 nodes of the training mask', async () => {
    const s = await runTrainJob({
      ...TRAIN_DEFAULTS,
      dataset: 'cora',
      ...spec,
      epochs: 1,
      patience: 0,
      device: 'cpu',
      normalizeFeatures: false,
      fitAllLabels: true,
    });
    const all = initialLoss(new Uint8Array(cora.numNodes).fill(1));
    const train = initialLoss(cora.trainMask);
    // The first epoch reports the loss before its update. Logits and loss are f32 (relative error
    // ~1e-7 on a loss near ln 7); the two node sets give losses that differ by more than 1e-3 (5e-3 here), toBeCloseTo(·, 5) asks for 5e-6.
    expect(Math.abs(all - train)).toBeGreaterThan(1e-3);
    expect(s.train_loss).toBeCloseTo(all, 5);
  });

  it('reports train accuracy over all 2708 nodes, and the same figure as validation accuracy', async () => {
    const s = await runTrainJob({ ...TRAIN_DEFAULTS, dataset: 'cora', ...spec, epochs: 3, patience: 0, device: 'cpu', fitAllLabels: true });
    expect(s.fit_all_labels).toBe(true);
    expect(s.train_acc).toBe(s.val_acc);
    const correct = s.final_train_acc * cora.numNodes;
    expect(Math.abs(correct - Math.round(correct))).toBeLessThan(1e-6);
    expect(s.max_train_acc).toBeGreaterThanOrEqual(s.final_train_acc);
  });

  it('leaves the training mask alone without the flag', async () => {
    const s = await runTrainJob({ ...TRAIN_DEFAULTS, dataset: 'cora', ...spec, epochs: 1, patience: 0, device: 'cpu', normalizeFeatures: false });
    expect(s.fit_all_labels).toBe(false);
    expect(s.train_loss).toBeCloseTo(initialLoss(cora.trainMask), 5);
  });

  it('is a flag of the command line, with final_train_acc and max_train_acc in the JSON summary', async () => {
    const r = await runCli(['train', '--dataset', 'cora', '--layers', '2', '--hidden', '8', '--epochs', '2', '--fit-all-labels', '--json', '-']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s.fit_all_labels).toBe(true);
    expect(typeof s.final_train_acc).toBe('number');
    expect(typeof s.max_train_acc).toBe('number');
    expect(r.stderr).toMatch(/fitting all labels: .* all 2708 labelled nodes/);
  });
});
