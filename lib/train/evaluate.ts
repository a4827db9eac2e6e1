import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { NodeData } from '../data/NodeData.js';
import { requireInstance } from '../errors/args.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import type { GraphSAGE } from '../models/GraphSAGE.js';
import { NodeModel } from '../models/NodeModel.js';
import { Tensor } from '../tensor/Tensor.js';
import { accuracy } from './accuracy.js';
import { layerwiseInference } from './layerwiseInference.js';

/** What evaluate() measures. */
export interface Metrics {
  trainAcc: number;
  valAcc: number;
  testAcc: number;
  valLoss: number;
}

/** Accuracy on every split and the validation loss, without dropout or gradients. */
export function evaluate(model: NodeModel, data: NodeData): Metrics {
  requireInstance('evaluate', 'model', model, NodeModel, 'a NodeModel');
  requireInstance('evaluate', 'data', data, NodeData, 'NodeData');
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        return metricsOf(model.forward(data.features, data.graph), data);
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}

/** evaluate()'s metrics from layer-wise inference (see layerwiseInference), for models too large for a full-batch forward. */
export async function evaluateLayerwise(model: GraphSAGE, data: NodeData, batchSize: number): Promise<Metrics> {
  const logits = await layerwiseInference(model, data, { batchSize });
  try {
    return noGrad(() => tidy(() => metricsOf(logits, data)));
  } finally {
    logits.dispose();
  }
}

function metricsOf(logits: Tensor, data: NodeData): Metrics {
  const logp = logSoftmax(logits);
  const valLoss = nllLoss(logp, data.y, data.valMask).item();
  const pred = new Tensor(native().argmaxRows(logp.handle('evaluate'))).toArray() as Int32Array;
  return {
    trainAcc: accuracy(pred, data.labels, data.masks.train),
    valAcc: accuracy(pred, data.labels, data.masks.val),
    testAcc: accuracy(pred, data.labels, data.masks.test),
    valLoss,
  };
}
