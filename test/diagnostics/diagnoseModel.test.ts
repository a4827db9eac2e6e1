import { describe, expect, it } from 'vitest';

import { tidy } from '../../lib/autograd/scope.js';
import { sbmGraph } from '../../lib/data/sbmGraph.js';
import { DiagnosticsRecorder } from '../../lib/diagnostics/DiagnosticsRecorder.js';
import { diagnoseModel } from '../../lib/diagnostics/diagnoseModel.js';
import { linearRate } from '../../lib/diagnostics/linearRate.js';
import { DIAGNOSTIC_METRICS } from '../../lib/diagnostics/metrics.js';
import { GAT } from '../../lib/models/GAT.js';
import { GCN } from '../../lib/models/GCN.js';
import { LinearGNN } from '../../lib/models/LinearGNN.js';
import type { NodeModel } from '../../lib/models/NodeModel.js';
import { ResGCN } from '../../lib/models/ResGCN.js';
import { SKP } from '../../lib/models/SKP.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { NodeData } from '../../lib/data/NodeData.js';
import { expectThrows, liveCpu } from '../helpers/apiFixtures.js';

const SBM = { numNodes: 60, numEdges: 300, numFeatures: 6, numClasses: 3, homophily: 0.8, seed: 4 };
const common = { inChannels: 6, outChannels: 3, seed: 1 };

const MODELS: [string, () => NodeModel, number][] = [
  ['gcn', () => new GCN({ ...common, hiddenChannels: 8, numLayers: 3 }), 3],
  ['res-gcn', () => new ResGCN({ ...common, hiddenChannels: 8, numLayers: 4 }), 5],
  ['res-gcn (reversible)', () => new ResGCN({ ...common, hiddenChannels: 8, numLayers: 4, residual: 'reversible' }), 2],
  ['gat', () => new GAT({ ...common, hiddenChannels: 4, heads: 2, numLayers: 3 }), 3],
  ['skp', () => new SKP({ ...common, hiddenChannels: 8, numLayers: 3 }), 4],
  ['linear-gnn', () => new LinearGNN({ ...common, hiddenChannels: 8, numLayers: 3 }), 3],
];

describe.each(MODELS)('diagnoseModel on a %s', (name, make, layers) => {
  it('gives one row per layer with every applicable metric finite', () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = make();
    const rows = diagnoseModel(model, data);
    expect(rows).toHaveLength(layers);
    rows.forEach((row, l) => {
      expect(row.layer).toBe(l);
      for (const m of DIAGNOSTIC_METRICS.filter((k) => !k.startsWith('gatBalance') && k !== 'kappa' && k !== 'lossStar')) {
        expect(Number.isFinite(row[m]), `${name} layer ${l} ${m} = ${row[m]}`).toBe(true);
      }
      expect(row.relativeChange).toBe(0);
    });
    expect(rows[0].gatBalanceMax !== undefined).toBe(name === 'gat');
    expect(rows[0].kappa !== undefined).toBe(name === 'linear-gnn');
  });

  it('leaves no trace: gradients, mode, dropout stream and native memory are as before', () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = make();
    model.train();
    // A first pass fills the graph's operator cache, which lives as long as the graph.
    diagnoseModel(model, data);
    const before = liveCpu();
    const rng = JSON.stringify(model.rngState ?? null);
    diagnoseModel(model, data, { training: true });
    expect(model.training).toBe(true);
    expect(JSON.stringify(model.rngState ?? null)).toBe(rng);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    expect(liveCpu()).toEqual(before);
  });
});

describe('diagnoseModel', () => {
  it('reports only the requested metrics', () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = new GCN({ ...common, hiddenChannels: 8 });
    const rows = diagnoseModel(model, data, { metrics: ['meanCosine', 'gradWeightNorm'] });
    expect(Object.keys(rows[0]).sort()).toEqual(['gradWeightNorm', 'layer', 'meanCosine']);
  });

  it('measures relative change and balance drift against a recorder made before training', () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = new GAT({ ...common, hiddenChannels: 4, numLayers: 3, init: 'balanced-o' });
    using recorder = new DiagnosticsRecorder(model, data);
    const atInit = diagnoseModel(model, data, { recorder });
    // Balanced initialization: c_i^l = 0 (docs/methods.md §5, |c| < 1e-10 in f64; f32 weights here).
    expect(atInit[0].gatBalanceMax).toBeLessThan(1e-5);
    const w = model.layers[0].weight;
    const v = Float64Array.from(w.toArray()).map((x) => 2 * x);
    tidy(() => w.assign(Tensor.from(v, [...w.shape], { dtype: w.dtype })));
    const after = diagnoseModel(model, data, { recorder });
    expect(after[0].relativeChange).toBeCloseTo(1, 6);
    expect(after[1].relativeChange).toBe(0);
    expect(after[0].gatBalanceDrift).toBeGreaterThan(0.1);
  });

  it('wires the linear-GNN rate κ in: the value linearRate gives', () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = new LinearGNN({ ...common, hiddenChannels: 8, numLayers: 2 });
    const rows = diagnoseModel(model, data, { metrics: ['kappa'] });
    const rate = linearRate(model, data.x, data.graph, data.masks.train);
    expect(rows[0].kappa).toBeCloseTo(rate.kappa, 12);
    expect(rows[1].kappa).toBe(rows[0].kappa);
  });

  it('rejects unknown metrics, models without layers and wrong arguments naming the function and argument', () => {
    using data = NodeData.from(sbmGraph(SBM));
    using model = new GCN({ ...common, hiddenChannels: 8 });
    expectThrows(
      () => diagnoseModel(model, data, { metrics: ['featureScale', 'nope' as never] }),
      RangeError,
      "diagnoseModel: argument options.metrics has unknown metric 'nope'",
    );
    expectThrows(() => diagnoseModel(model, data, { metrics: 'featureScale' as never }), TypeError, 'diagnoseModel: argument options.metrics must be an array');
    expectThrows(() => diagnoseModel({} as never, data), TypeError, 'diagnoseModel: argument model must be a NodeModel');
    expectThrows(() => diagnoseModel(model, null as never), TypeError, 'diagnoseModel: argument data must be NodeData');
  });
});
