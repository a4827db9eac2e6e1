import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { brief, requireFloat, requireSameDevice, requireSameDtype, tensorArg, valueError } from './checks.js';

/**
 * `s` must be a one-element [1] float tensor of x's dtype, on x's device. Checked here: the
 * native op checks only that s has one float element.
 */
export function scalarArg(op: string, name: string, s: unknown, x: Tensor): Tensor {
  const t = tensorArg(op, name, s);
  requireFloat(op, name, t);
  if (t.shape.length !== 1 || t.shape[0] !== 1) throw valueError('SHAPE', op, `argument ${name} must be [1], got ${brief(t)}`);
  requireSameDtype(op, 'x', x, name, t);
  requireSameDevice(op, 'x', x, name, t);
  return t;
}

/**
 * Σ g ⊙ x as a [1] tensor on x's device (the gradient of a scalar factor s in s·x), without a
 * copy to the host: for 2-D x, the row sums (g ⊙ x)·1 then their column sum.
 */
export function sumOfProducts(g: Tensor, x: Tensor): Tensor {
  const op = 'sumOfProducts';
  if (x.numel === 0) return Tensor.zeros([1], { dtype: x.dtype, device: x.device });
  const gx = new Tensor(native().mul(g.handle(op), x.handle(op)));
  try {
    if (gx.shape.length === 2) {
      using ones = Tensor.full([gx.shape[1], 1], 1, { dtype: gx.dtype, device: gx.device });
      using rows = new Tensor(native().matmul(gx.handle(op), ones.handle(op), false, false));
      return new Tensor(native().sumRows(rows.handle(op)));
    }
    using total = new Tensor(native().sum(gx.handle(op)));
    return new Tensor(native().expandScalar(total.handle(op), [1], 1));
  } finally {
    gx.dispose();
  }
}

/**
 * y = s·x for a one-element tensor s of shape [1] (a learnable scalar such as GIN's ε), with
 * gradients for both: dx = s·g, ds = Σ g ⊙ x.
 *
 * @example
 * const y = scaleByScalar(eps, x);   // eps: a [1] Parameter
 */
export function scaleByScalar(s: Tensor, x: Tensor): Tensor {
  const op = 'scaleByScalar';
  tensorArg(op, 'x', x);
  requireFloat(op, 'x', x);
  scalarArg(op, 's', s, x);
  // The op reads s where it lives (no host read in a step); the backward runs before any update of s.
  const out = new Tensor(native().scaleBy(x.handle(op), s.handle(op), 1));
  return record(out, op, [s, x], (g) => [
    s.requiresGrad ? sumOfProducts(g, x) : null,
    x.requiresGrad ? new Tensor(native().scaleBy(g.handle(op), s.handle(op), 1)) : null,
  ]);
}
