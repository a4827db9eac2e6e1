import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';

/**
 * Mean negative log-likelihood over the rows where `mask` is 1 (all rows without a mask).
 * `logp` [N, C] are log-probabilities, `labels` i32 [N] class ids, `mask` u8 [N].
 * Returns a one-element tensor. The native op checks the dtypes, shapes, devices and every
 * counted label against [0, C).
 *
 * @example
 * const loss = nllLoss(logSoftmax(logits), labels, trainMask);
 */
export function nllLoss(logp: Tensor, labels: Tensor, mask?: Tensor | null): Tensor {
  const op = 'nllLoss';
  tensorArg(op, 'logp', logp);
  tensorArg(op, 'labels', labels);
  if (mask) tensorArg(op, 'mask', mask);
  const m = mask ? mask.handle(op) : null;
  const out = new Tensor(native().nllLoss(logp.handle(op), labels.handle(op), m));
  return record(out, op, [logp], (g) => [new Tensor(native().nllLossBackward(g.handle(op), logp.handle(op), labels.handle(op), m))]);
}
