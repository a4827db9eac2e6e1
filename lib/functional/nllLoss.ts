import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { dtypeArg, floatArg, rankArg, sameDevice } from './checks.js';

/**
 * Mean negative log-likelihood over the rows where `mask` is 1 (all rows without a mask).
 * `logp` [N, C] are log-probabilities, `labels` i32 [N] class ids, `mask` u8 [N].
 * Returns a one-element tensor.
 *
 * @example
 * const loss = nllLoss(logSoftmax(logits), labels, trainMask);
 */
export function nllLoss(logp: Tensor, labels: Tensor, mask?: Tensor | null): Tensor {
  const op = 'nllLoss';
  floatArg(op, 'logp', logp);
  rankArg(op, 'logp', logp, 2);
  dtypeArg(op, 'labels', labels, 'i32');
  if (labels.shape.length !== 1 || labels.shape[0] !== logp.shape[0]) {
    throw new RangeError(`nllLoss: labels ${labels.describe()} must be [${logp.shape[0]}] for logp ${logp.describe()}`);
  }
  sameDevice(op, ['logp', logp], ['labels', labels]);
  if (mask) {
    dtypeArg(op, 'mask', mask, 'u8');
    if (mask.shape.length !== 1 || mask.shape[0] !== logp.shape[0]) {
      throw new RangeError(`nllLoss: mask ${mask.describe()} must be [${logp.shape[0]}] for logp ${logp.describe()}`);
    }
    sameDevice(op, ['logp', logp], ['mask', mask]);
  }
  const m = mask ? mask.handle(op) : null;
  const out = new Tensor(native().nllLoss(logp.handle(op), labels.handle(op), m));
  return record(out, op, [logp], (g) => [
    new Tensor(native().nllLossBackward(g.item(), logp.handle(op), labels.handle(op), m)),
  ]);
}
