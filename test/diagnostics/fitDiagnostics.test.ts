import { describe, expect, it } from 'vitest';

import { sbmGraph } from '../../lib/data/sbmGraph.js';
import { DiagnosticsRecorder } from '../../lib/diagnostics/DiagnosticsRecorder.js';
import { diagnoseModel } from '../../lib/diagnostics/diagnoseModel.js';
import { ResGCN } from '../../lib/models/ResGCN.js';
import { fit, type EpochReport } from '../../lib/train/fit.js';
import { NodeData } from '../../lib/data/NodeData.js';
import { expectRejects } from '../helpers/apiFixtures.js';

const SBM = { numNodes: 60, numEdges: 300, numFeatures: 6, numClasses: 3, homophily: 0.8, seed: 4 };
const make = () => new ResGCN({ inChannels: 6, outChannels: 3, hiddenChannels: 8, numLayers: 3, seed: 2 });

describe('fit with diagnostics', () => {
  it('records the model after 0, every, 2·every, … epochs and the final state when it falls on the grid', async () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = make();
    const reports: EpochReport[] = [];
    const r = await fit(model, data, { epochs: 6, patience: 0, diagnostics: { every: 3 }, onEpoch: (rep) => void reports.push(rep) });
    expect(r.diagnostics.map((d) => d.epoch)).toEqual([0, 3, 6]);
    expect(r.diagnostics.every((d) => d.layers.length === 4)).toBe(true);
    // Epoch k's record is measured in step k + 1, and the last one after step 6.
    expect(reports.map((rep) => rep.diagnostics?.map((d) => d.epoch) ?? [])).toEqual([[0], [], [], [3], [], [6]]);
    expect(r.diagnostics[0].layers[0].relativeChange).toBe(0);
    expect(r.diagnostics[2].layers[0].relativeChange).toBeGreaterThan(0);
  });

  it('skips a final state off the grid', async () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = make();
    const r = await fit(model, data, { epochs: 7, patience: 0, diagnostics: { every: 3, metrics: ['featureScale'] } });
    expect(r.diagnostics.map((d) => d.epoch)).toEqual([0, 3, 6]);
    expect(Object.keys(r.diagnostics[1].layers[2])).toEqual(['layer', 'featureScale']);
  });

  it('measures the training step itself: epoch 0 equals diagnoseModel in training mode at init', async () => {
    using data = NodeData.from(sbmGraph(SBM));
    using a = make();
    using b = make();
    using recorder = new DiagnosticsRecorder(b, data);
    const expected = diagnoseModel(b, data, { recorder, training: true });
    const r = await fit(a, data, { epochs: 2, patience: 0, diagnostics: { every: 5 } });
    expect(r.diagnostics[0].layers).toEqual(expected);
  });

  it('does not change the training run', async () => {
    using data = NodeData.from(sbmGraph(SBM));
    using a = make();
    using b = make();
    const plain = await fit(a, data, { epochs: 5, patience: 0 });
    const recorded = await fit(b, data, { epochs: 5, patience: 0, diagnostics: { every: 2 } });
    expect(recorded.history.map((h) => h.trainLoss)).toEqual(plain.history.map((h) => h.trainLoss));
    expect(recorded.history.map((h) => h.valAcc)).toEqual(plain.history.map((h) => h.valAcc));
  });

  it('rejects bad diagnostics options naming fit and the argument', async () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = make();
    await expectRejects(fit(model, data, { epochs: 1, diagnostics: { every: 0 } }), RangeError, 'fit: diagnostics.every must be a positive integer');
    await expectRejects(
      fit(model, data, { epochs: 1, diagnostics: { metrics: ['bogus' as never] } }),
      RangeError,
      "fit: argument diagnostics.metrics has unknown metric 'bogus'",
    );
    await expectRejects(fit(model, data, { epochs: 1, diagnostics: 3 as never }), TypeError, 'fit: argument options.diagnostics must be an object');
  });
});
