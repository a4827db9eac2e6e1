import { keep, tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { requireInstance, requireObject } from '../errors/args.js';
import { GAT } from '../models/GAT.js';
import { gatBalance } from '../models/gatBalance.js';
import { LinearGNN } from '../models/LinearGNN.js';
import { NodeModel } from '../models/NodeModel.js';
import { Tensor } from '../tensor/Tensor.js';
import { NodeData } from '../data/NodeData.js';
import { featureMoments } from './featureMoments.js';
import { gramSpectrum } from './gramSpectrum.js';
import { linearRate } from './linearRate.js';
import { GRAM_METRICS, resolveMetrics, type DiagnosticMetric, type LayerDiagnostics } from './metrics.js';
import { momentStats } from './momentStats.js';
import { overCorrelation } from './overCorrelation.js';

const FEATURE_MOMENT_METRICS: readonly DiagnosticMetric[] = [
  'featureScale',
  'featureMu',
  'featureMuNormalized',
  'meanCosine',
  'dirichletNormalized',
  ...GRAM_METRICS,
];
const GRAD_FEATURE_METRICS: readonly DiagnosticMetric[] = ['gradFeatureNorm', 'gradFeatureMu', 'gradFeatureMuNormalized'];

/**
 * Turns one forward/backward pass into per-layer diagnostic rows (docs/methods.md §4). Holds what
 * the rows are measured against: a copy of the weights at construction (θ_0, for
 * relativeChange) and, for a GAT, the balance c^l at construction (for gatBalanceDrift).
 * Everything heavy runs natively in float64 on the model's device; only O(n²) numbers per layer
 * come to the host. Used by diagnoseModel() and by fit()'s `diagnostics` option.
 *
 * @example
 * using recorder = new DiagnosticsRecorder(model, data, { metrics: ['featureScale', 'relativeChange'] });
 * // ... forwardFeatures, retainGrad on the features, backward ...
 * const rows = recorder.measure(features);
 */
export class DiagnosticsRecorder implements Disposable {
  readonly metrics: ReadonlySet<DiagnosticMetric>;
  readonly #model: NodeModel;
  readonly #data: NodeData;
  #reference: Tensor[][] | null = null;
  #referenceNorms: number[] = [];
  #balance0: Float64Array[] | null = null;
  #oneHot: Float64Array | null = null;

  constructor(model: NodeModel, data: NodeData, options: { metrics?: readonly DiagnosticMetric[] } = {}) {
    const op = 'DiagnosticsRecorder';
    requireInstance(op, 'model', model, NodeModel, 'a NodeModel (a GCN, ResGCN, GAT, SKP or LinearGNN)');
    requireInstance(op, 'data', data, NodeData, 'NodeData (NodeData.from(dataset))');
    requireObject(op, 'options', options);
    if (!model.hasLayerFeatures) throw new TypeError(`${op}: model '${model.name}' does not expose per-layer features (forwardFeatures)`);
    this.metrics = resolveMetrics(op, 'options.metrics', options.metrics);
    this.#model = model;
    this.#data = data;
    if (this.metrics.has('relativeChange')) {
      this.#reference = model.layerParameters().map((ps) => ps.map((p) => keep(p.clone())));
      this.#referenceNorms = this.#reference.map((ps) => Math.sqrt(ps.reduce((a, p) => a + sumSquares(p, null), 0)));
    }
    if (model instanceof GAT && this.metrics.has('gatBalanceDrift')) this.#balance0 = gatBalance(model.layerValues()).perLayer;
  }

  /**
   * Rows for `features` (forwardFeatures() output of the pass just differentiated): feature
   * metrics from the tensors, gradient metrics from their retained `.grad` and the parameters'
   * `.grad` (read before any optimizer step or zeroGrad). A missing gradient counts as zero.
   */
  measure(features: readonly Tensor[]): LayerDiagnostics[] {
    const want = this.metrics;
    const has = (list: readonly DiagnosticMetric[]) => list.some((m) => want.has(m));
    const layerParams = this.#model.layerParameters();
    if (!Array.isArray(features) || features.length !== layerParams.length) {
      throw new RangeError(
        `DiagnosticsRecorder.measure: argument features must hold one tensor per layer (${layerParams.length}), got ${Array.isArray(features) ? features.length : typeof features}`,
      );
    }
    const rows: LayerDiagnostics[] = features.map((z, layer) => {
      const row: LayerDiagnostics = { layer };
      if (has(FEATURE_MOMENT_METRICS) || want.has('dirichlet')) this.#featureMetrics(z, row);
      if (has(GRAD_FEATURE_METRICS)) {
        const g = z.grad;
        const s = g ? momentStats(featureMoments(g)) : { norm: 0, mu: 0, muNormalized: 0 };
        set(row, want, 'gradFeatureNorm', s.norm);
        set(row, want, 'gradFeatureMu', s.mu);
        set(row, want, 'gradFeatureMuNormalized', s.muNormalized);
      }
      if (want.has('gradWeightNorm')) row.gradWeightNorm = Math.sqrt(layerParams[layer].reduce((a, p) => a + (p.grad ? sumSquares(p.grad, null) : 0), 0));
      if (this.#reference) {
        const ref = this.#reference[layer];
        const moved = Math.sqrt(layerParams[layer].reduce((a, p, i) => a + sumSquares(p, ref[i]), 0));
        row.relativeChange = this.#referenceNorms[layer] > 0 ? moved / this.#referenceNorms[layer] : moved > 0 ? Infinity : 0;
      }
      return row;
    });
    if (this.#model instanceof GAT && has(['gatBalanceMax', 'gatBalanceMean', 'gatBalanceDrift'])) this.#balance(this.#model, rows);
    if (this.#model instanceof LinearGNN && has(['kappa', 'lossStar'])) this.#linearRate(this.#model, rows);
    return rows;
  }

  #featureMetrics(z: Tensor, row: LayerDiagnostics): void {
    const want = this.metrics;
    const m = featureMoments(z, { gram: GRAM_METRICS.some((k) => want.has(k)) });
    const s = momentStats(m);
    set(row, want, 'featureScale', s.scale);
    set(row, want, 'featureMu', s.mu);
    set(row, want, 'featureMuNormalized', s.muNormalized);
    set(row, want, 'meanCosine', s.meanCosine);
    if (want.has('dirichlet') || want.has('dirichletNormalized')) {
      const op = 'DiagnosticsRecorder.measure';
      const csr = this.#data.graph.operator('gcn', { dtype: z.dtype, device: z.device }).forward(op);
      const energy = tidy(() => new Tensor(native().dirichletEnergy(csr, z.handle(op))).item());
      set(row, want, 'dirichlet', energy);
      set(row, want, 'dirichletNormalized', m.sumSquares > 0 ? energy / m.sumSquares : 0);
    }
    if (m.centeredGram) {
      set(row, want, 'overCorrelation', overCorrelation(m));
      if (GRAM_METRICS.some((k) => k !== 'overCorrelation' && want.has(k))) {
        const r = gramSpectrum(m);
        set(row, want, 'numericalRank', r.numericalRank);
        set(row, want, 'effectiveRank', r.effectiveRank);
        set(row, want, 'sigmaRatio', r.sigmaRatio);
      }
    }
  }

  // c^l couples layer l's outgoing and layer l+1's incoming weights: rows 0..L−2 get it.
  #balance(model: GAT, rows: LayerDiagnostics[]): void {
    const { perLayer } = gatBalance(model.layerValues());
    perLayer.forEach((c, l) => {
      let max = 0;
      let sum = 0;
      let drift = 0;
      c.forEach((v, i) => {
        max = Math.max(max, Math.abs(v));
        sum += Math.abs(v);
        if (this.#balance0) drift = Math.max(drift, Math.abs(v - this.#balance0[l][i]));
      });
      set(rows[l], this.metrics, 'gatBalanceMax', max);
      set(rows[l], this.metrics, 'gatBalanceMean', c.length ? sum / c.length : 0);
      if (this.#balance0) set(rows[l], this.metrics, 'gatBalanceDrift', drift);
    });
  }

  #linearRate(model: LinearGNN, rows: LayerDiagnostics[]): void {
    const data = this.#data;
    if (!this.#oneHot) {
      this.#oneHot = new Float64Array(data.labels.length * data.numClasses);
      data.labels.forEach((c, i) => {
        if (c >= 0) this.#oneHot![i * data.numClasses + c] = 1;
      });
    }
    const rate = linearRate(model, data.x, data.graph, data.masks.train, model.options.outChannels === data.numClasses ? this.#oneHot : undefined);
    for (const row of rows) {
      set(row, this.metrics, 'kappa', rate.kappa);
      set(row, this.metrics, 'lossStar', rate.lossStar);
    }
  }

  dispose(): void {
    for (const ps of this.#reference ?? []) for (const p of ps) p.dispose();
    this.#reference = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function set(row: LayerDiagnostics, want: ReadonlySet<DiagnosticMetric>, key: DiagnosticMetric, value: number): void {
  if (want.has(key)) row[key] = value;
}

function sumSquares(x: Tensor, y: Tensor | null): number {
  return tidy(() => new Tensor(native().sumSquares(x.handle('DiagnosticsRecorder'), y ? y.handle('DiagnosticsRecorder') : null)).item());
}
