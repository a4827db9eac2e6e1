import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg } from './checks.js';

/**
 * max(x, 0), elementwise, with a backward that reads a bit mask (1 bit per element) instead of
 * the output, as {@link relu}'s does. The output's values are then free once its consumer has
 * run, if that consumer's backward does not read them either (dropout's reads only its own mask):
 * the caller may releaseData() it and keep 1/32 of an f32 output (1/64 of f64) for backward.
 * Same values and gradients as relu (relu'(0) = 0, NaN gets no gradient).
 *
 * @example
 * const r = reluBits(z);
 * const h = dropout(r, 0.5, { seed, training: true });
 * if (h !== r) r.releaseData();  // backward keeps only r's bits
 */
export function reluBits(x: Tensor): Tensor {
  const op = 'reluBits';
  tensorArg(op, 'x', x);
  const [outHandle, maskHandle] = native().reluMask(x.handle(op));
  const out = new Tensor(outHandle);
  const mask = new Tensor(maskHandle);
  record(out, op, [x], (g) => [new Tensor(native().reluBackwardMask(g.handle(op), mask.handle(op)))]);
  // Without a recorded backward nothing will read the mask again.
  if (!out.gradFn) mask.dispose();
  return out;
}
