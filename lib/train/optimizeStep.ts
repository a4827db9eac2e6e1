import { backward } from '../autograd/backward.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { Tensor } from '../tensor/Tensor.js';

/** fit()'s hook between a step's backward pass and its update (the callbacks' onBackward). */
export type AfterBackward = (loss: Tensor, features: Tensor[] | null) => void;

/**
 * The end of every training step, full-batch or on a batch: backward from `loss`,
 * `afterBackward`, one optimizer update, and the gradients dropped.
 *
 * @example
 * optimizeStep(nllLoss(logSoftmax(logits), y, mask), optimizer, afterBackward);
 */
export function optimizeStep(loss: Tensor, optimizer: Optimizer, afterBackward: AfterBackward, features: Tensor[] | null = null): void {
  backward(loss);
  afterBackward(loss, features);
  optimizer.step();
  optimizer.zeroGrad();
}
