import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { NodeData } from '../data/NodeData.js';
import { requireInstance } from '../errors/args.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import { NodeModel } from '../models/NodeModel.js';
import { Tensor } from '../tensor/Tensor.js';
import { accuracy } from './accuracy.js';

/** Accuracy on every split and the validation loss, without dropout or gradients. */
export function evaluate(model: NodeModel, data: NodeData): { trainAcc: number; valAcc: number; testAcc: number; valLoss: number } {
  requireInstance('evaluate', 'model', model, NodeModel, 'a NodeModel');
  requireInstance('evaluate', 'data', data, NodeData, 'NodeData');
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        const logp = logSoftmax(model.forward(data.features, data.graph));
        const valLoss = nllLoss(logp, data.y, data.valMask).item();
        const pred = new Tensor(native().argmaxRows(logp.handle('evaluate'))).toArray() as Int32Array;
        return {
          trainAcc: accuracy(pred, data.labels, data.masks.train),
          valAcc: accuracy(pred, data.labels, data.masks.val),
          testAcc: accuracy(pred, data.labels, data.masks.test),
          valLoss,
        };
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}
