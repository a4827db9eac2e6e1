import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import type { CompiledStep } from '../compile/CompiledStep.js';
import { NodeData } from '../data/NodeData.js';
import { requireInstance } from '../errors/args.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';

import { NodeModel } from '../models/NodeModel.js';
import { Tensor } from '../tensor/Tensor.js';
import { accuracy } from './accuracy.js';
import { layerwiseInference, type LayerwiseModel } from './layerwiseInference.js';

/** What evaluate() measures. */
export interface Metrics {
  trainAcc: number;
  valAcc: number;
  testAcc: number;
  valLoss: number;
}

/**
 * Accuracy on every split and the validation loss, without dropout or gradients. `compiled`
 * (fit's) runs the pass through a CompiledStep: eager, traced or replayed, with the same result.
 */
export function evaluate(model: NodeModel, data: NodeData, compiled: CompiledStep | null = null): Metrics {
  requireInstance('evaluate', 'model', model, NodeModel, 'a NodeModel');
  requireInstance('evaluate', 'data', data, NodeData, 'NodeData');
  const wasTraining = model.training;
  model.eval();
  try {
    const body = () => noGrad(() => tidy(() => predictions(model.forward(data.features, data.graph), data)));
    const [valLoss, pred] = compiled ? compiled.run(body) : body();
    try {
      return metricsFrom(valLoss!, pred!, data);
    } finally {
      valLoss!.dispose();
      pred!.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
}

/** evaluate()'s metrics from layer-wise inference (see layerwiseInference), for models too large for a full-batch forward. */
export async function evaluateLayerwise(model: LayerwiseModel, data: NodeData, batchSize: number): Promise<Metrics> {
  const logits = await layerwiseInference(model, data, { batchSize });
  try {
    const [valLoss, pred] = noGrad(() => tidy(() => predictions(logits, data)));
    try {
      return metricsFrom(valLoss, pred, data);
    } finally {
      valLoss.dispose();
      pred.dispose();
    }
  } finally {
    logits.dispose();
  }
}

// The validation loss and the predicted classes, as tensors: what a compiled pass returns.
function predictions(logits: Tensor, data: NodeData): [Tensor, Tensor] {
  const logp = logSoftmax(logits);
  return [nllLoss(logp, data.y, data.valMask), new Tensor(native().argmaxRows(logp.handle('evaluate')))];
}

function metricsFrom(valLoss: Tensor, pred: Tensor, data: NodeData): Metrics {
  const classes = pred.toArray() as Int32Array;
  return {
    trainAcc: accuracy(classes, data.labels, data.masks.train),
    valAcc: accuracy(classes, data.labels, data.masks.val),
    testAcc: accuracy(classes, data.labels, data.masks.test),
    valLoss: valLoss.item(),
  };
}
