import { backward } from '../autograd/backward.js';
import { retainGrad } from '../autograd/retainGrad.js';
import { tidy } from '../autograd/scope.js';
import { requireInstance, requireObject } from '../errors/args.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import { NodeModel } from '../models/NodeModel.js';
import type { Tensor } from '../tensor/Tensor.js';
import { NodeData } from '../data/NodeData.js';
import { DiagnosticsRecorder } from './DiagnosticsRecorder.js';
import { resolveMetrics, type DiagnosticMetric, type LayerDiagnostics } from './metrics.js';

export interface DiagnoseOptions {
  /** Metrics to compute (default: all that apply to the model). */
  metrics?: readonly DiagnosticMetric[];
  /**
   * What relativeChange and gatBalanceDrift are measured against (a recorder made before
   * training); without one they compare the model with itself (0).
   */
  recorder?: DiagnosticsRecorder;
  /** Run the pass in training mode (dropout on); default false. */
  training?: boolean;
}

/**
 * Per-layer diagnostics of docs/methods.md §4 from one forward and backward pass of the training
 * loss fit() uses (NLL of log-softmax on the training nodes), with no optimizer step. Side-effect
 * free: the parameters' existing gradients, the training mode and the dropout stream are
 * restored afterwards. One row per layer of forwardFeatures().
 *
 * @example
 * const rows = diagnoseModel(model, data, { metrics: ['featureScale', 'gradFeatureMuNormalized'] });
 * console.table(rows);
 */
export function diagnoseModel(model: NodeModel, data: NodeData, options: DiagnoseOptions = {}): LayerDiagnostics[] {
  const op = 'diagnoseModel';
  requireInstance(op, 'model', model, NodeModel, 'a NodeModel (a GCN, ResGCN, GAT, SKP or LinearGNN)');
  requireInstance(op, 'data', data, NodeData, 'NodeData (NodeData.from(dataset))');
  requireObject(op, 'options', options);
  if (options.recorder !== undefined) requireInstance(op, 'options.recorder', options.recorder, DiagnosticsRecorder, 'a DiagnosticsRecorder');
  if (!model.hasLayerFeatures) throw new TypeError(`${op}: model '${model.name}' does not expose per-layer features (forwardFeatures)`);
  resolveMetrics(op, 'options.metrics', options.metrics);
  const own = options.recorder ? null : new DiagnosticsRecorder(model, data, { metrics: options.metrics });
  const recorder = options.recorder ?? own!;
  if (options.recorder && options.metrics) {
    const bad = options.metrics.find((m) => !recorder.metrics.has(m));
    if (bad) throw new RangeError(`${op}: metric '${bad}' was not requested when options.recorder was made`);
  }
  const params = model.parameters();
  const saved = params.map((p) => p.grad);
  const wasTraining = model.training;
  const rng = model.rngState;
  try {
    for (const p of params) p.grad = null;
    model.train(options.training ?? false);
    return tidy(() => {
      const { logits, features } = model.forwardFeatures(data.features, data.graph);
      features.forEach((f: Tensor) => retainGrad(f));
      backward(nllLoss(logSoftmax(logits), data.y, data.trainMask));
      const rows = recorder.measure(features);
      if (options.metrics) return rows.map((r) => pick(r, options.metrics!));
      return rows;
    });
  } finally {
    params.forEach((p, i) => {
      p.grad?.dispose();
      p.grad = saved[i];
    });
    model.train(wasTraining);
    if (rng) model.setRngState(rng);
    own?.dispose();
  }
}

function pick(row: LayerDiagnostics, metrics: readonly DiagnosticMetric[]): LayerDiagnostics {
  const out: LayerDiagnostics = { layer: row.layer };
  for (const m of metrics) if (row[m] !== undefined) out[m] = row[m];
  return out;
}
