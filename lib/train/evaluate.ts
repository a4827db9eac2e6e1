import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import type { CompiledStep } from '../compile/CompiledStep.js';
import { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import { requireInstance } from '../errors/args.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';

import { NodeModel } from '../models/NodeModel.js';
import { Tensor } from '../tensor/Tensor.js';
import { accuracy } from './accuracy.js';
import { layerwiseInference, type LayerwiseModel } from './layerwiseInference.js';
import { rocAuc } from './rocAuc.js';

/** The validation metric that picks the best epoch: accuracy, or ROC-AUC for binary tasks (OGB's rocauc, the heterophilous benchmark's tolokers, minesweeper, questions). */
export type FitMetric = 'accuracy' | 'roc-auc';

/** What evaluate() measures; the ROC-AUCs (class 1 positive) only with the 'roc-auc' metric. */
export interface Metrics {
  trainAcc: number;
  valAcc: number;
  testAcc: number;
  valLoss: number;
  trainAuc?: number;
  valAuc?: number;
  testAuc?: number;
}

/**
 * Accuracy on every split and the validation loss, without dropout or gradients; with `metric`
 * 'roc-auc' (a binary task) also the ROC-AUC of every split, scored by the log-odds of class 1.
 * `compiled` (fit's) runs the pass through a CompiledStep: eager, traced or replayed, with the
 * same result.
 *
 * @example
 * const { valAcc, testAuc } = evaluate(model, data, null, 'roc-auc');
 */
export function evaluate(model: NodeModel, data: NodeData, compiled: CompiledStep | null = null, metric: FitMetric = 'accuracy'): Metrics {
  requireInstance('evaluate', 'model', model, NodeModel, 'a NodeModel');
  requireInstance('evaluate', 'data', data, NodeData, 'NodeData');
  requireMetric('evaluate', metric, data);
  const wasTraining = model.training;
  model.eval();
  try {
    const body = () => noGrad(() => tidy(() => predictions(model.forward(data.features, data.graph), data, metric)));
    const outputs = compiled ? compiled.run(body) : body();
    try {
      return metricsFrom(outputs, data);
    } finally {
      for (const t of outputs) t.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
}

/** evaluate()'s metrics from layer-wise inference (see layerwiseInference), for models too large for a full-batch forward. */
export async function evaluateLayerwise(model: LayerwiseModel, data: NodeData, batchSize: number, metric: FitMetric = 'accuracy'): Promise<Metrics> {
  requireMetric('evaluateLayerwise', metric, data);
  const logits = await layerwiseInference(model, data, { batchSize });
  try {
    const outputs = noGrad(() => tidy(() => predictions(logits, data, metric)));
    try {
      return metricsFrom(outputs, data);
    } finally {
      for (const t of outputs) t.dispose();
    }
  } finally {
    logits.dispose();
  }
}

/** Refuses an unknown metric, and ROC-AUC on a task that is not binary. */
export function requireMetric(op: string, metric: unknown, data: NodeData): asserts metric is FitMetric {
  if (metric !== 'accuracy' && metric !== 'roc-auc')
    throw new FathomError(`${op}: metric must be 'accuracy' or 'roc-auc', got ${JSON.stringify(metric)}`, 'RANGE');
  if (metric === 'roc-auc' && data.numClasses !== 2) {
    throw new FathomError(`${op}: metric 'roc-auc' needs a binary task (2 classes); the data has ${data.numClasses}`, 'RANGE');
  }
}

// The validation loss, the predicted classes and, for ROC-AUC, the log-probabilities, as
// tensors: what a compiled pass returns.
function predictions(logits: Tensor, data: NodeData, metric: FitMetric): Tensor[] {
  const logp = logSoftmax(logits);
  const out = [nllLoss(logp, data.y, data.valMask), new Tensor(native().argmaxRows(logp.handle('evaluate')))];
  if (metric === 'roc-auc') out.push(logp);
  return out;
}

function metricsFrom([valLoss, pred, logp]: Tensor[], data: NodeData): Metrics {
  const classes = pred!.toArray() as Int32Array;
  const { train, val, test } = data.masks;
  const metrics: Metrics = {
    trainAcc: accuracy(classes, data.labels, train),
    valAcc: accuracy(classes, data.labels, val),
    testAcc: accuracy(classes, data.labels, test),
    valLoss: valLoss!.item(),
  };
  if (!logp) return metrics;
  // The log-odds of class 1: monotone in its probability, and without the rounding of exp.
  const lp = logp.toArray() as Float32Array;
  const scores = new Float64Array(classes.length);
  for (let i = 0; i < scores.length; i++) scores[i] = lp[2 * i + 1]! - lp[2 * i]!;
  return { ...metrics, trainAuc: rocAuc(scores, data.labels, train), valAuc: rocAuc(scores, data.labels, val), testAuc: rocAuc(scores, data.labels, test) };
}
