import { retainGrad } from '../autograd/retainGrad.js';
import { tidy } from '../autograd/scope.js';
import type { CompiledStep } from '../compile/CompiledStep.js';
import type { NodeData } from '../data/NodeData.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import type { NodeModel } from '../models/NodeModel.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { Tensor } from '../tensor/Tensor.js';
import { type AfterBackward, optimizeStep } from './optimizeStep.js';

/**
 * One full-batch training step in training mode: forward, NLL of log-softmax on the training
 * nodes, backward, `afterBackward`, optimizer step, zeroGrad. With `features`, the forward pass
 * is forwardFeatures() and every layer's features keep their gradients for `afterBackward`.
 * With `compiled` (and no features), the step runs through it: eager, traced or replayed
 * (CompiledStep), with the same result. Every tensor of the step is freed; returns the loss.
 */
export function trainStep(
  model: NodeModel,
  data: NodeData,
  optimizer: Optimizer,
  features: boolean,
  afterBackward: AfterBackward,
  compiled: CompiledStep | null = null,
): number {
  model.train();
  const body = (): Tensor =>
    tidy(() => {
      let logits: Tensor;
      let layers: Tensor[] | null = null;
      if (features) {
        ({ logits, features: layers } = model.forwardFeatures(data.features, data.graph));
        for (const f of layers) retainGrad(f);
      } else {
        logits = model.forward(data.features, data.graph);
      }
      const loss = nllLoss(logSoftmax(logits), data.y, data.trainMask);
      optimizeStep(loss, optimizer, afterBackward, layers);
      return loss;
    });
  const loss = compiled && !features ? compiled.run(() => [body()])[0]! : body();
  try {
    return loss.item();
  } finally {
    loss.dispose();
  }
}
