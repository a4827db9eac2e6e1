import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import { floatArg, rankArg, sameDevice, sameDtype } from './checks.js';
import { sparseMatmul } from './sparseMatmul.js';

/**
 * op(a) @ op(b) for 2-D tensors, where op transposes when asked. `a` may be constant
 * {@link SparseFeatures}: the product is then an SpMM over its nonzeros (same result).
 *
 * @example
 * const y = matmul(x, w, { transB: true });   // x Wᵀ, as a Linear layer computes
 */
export function matmul(a: Tensor | SparseFeatures, b: Tensor, options: { transA?: boolean; transB?: boolean } = {}): Tensor {
  const op = 'matmul';
  if (a instanceof SparseFeatures) return sparseProduct(a, b, options);
  floatArg(op, 'a', a);
  floatArg(op, 'b', b);
  rankArg(op, 'a', a, 2);
  rankArg(op, 'b', b, 2);
  sameDtype(op, ['a', a], ['b', b]);
  sameDevice(op, ['a', a], ['b', b]);
  const ta = options.transA ?? false;
  const tb = options.transB ?? false;
  const k1 = ta ? a.shape[0] : a.shape[1];
  const k2 = tb ? b.shape[1] : b.shape[0];
  if (k1 !== k2) {
    throw new RangeError(
      `matmul: inner dimensions differ: a is ${a.describe()} (transA=${ta}), b is ${b.describe()} (transB=${tb})`,
    );
  }
  const mm = (x: Tensor, y: Tensor, tx: boolean, ty: boolean) =>
    new Tensor(native().matmul(x.handle(op), y.handle(op), tx, ty));
  const out = mm(a, b, ta, tb);
  // C = op(A) op(B): dA and dB written with the same native kernel and transposes.
  return record(out, op, [a, b], (g) => {
    const ga = a.requiresGrad ? (ta ? mm(b, g, tb, true) : mm(g, b, false, !tb)) : null;
    const gb = b.requiresGrad ? (tb ? mm(g, a, true, ta) : mm(a, g, !ta, false)) : null;
    return [ga, gb];
  });
}

function sparseProduct(a: SparseFeatures, b: Tensor, options: { transA?: boolean; transB?: boolean }): Tensor {
  const op = 'matmul';
  floatArg(op, 'b', b);
  rankArg(op, 'b', b, 2);
  const ta = options.transA ?? false;
  const tb = options.transB ?? false;
  if (a.dtype !== b.dtype) throw new TypeError(`matmul: a is ${a.describe()} but b is ${b.describe()}; dtypes must match`);
  if (a.device !== b.device) throw new TypeError(`matmul: a is ${a.describe()} but b is ${b.describe()}; devices must match`);
  const k1 = ta ? a.shape[0] : a.shape[1];
  const k2 = tb ? b.shape[1] : b.shape[0];
  if (k1 !== k2) {
    throw new RangeError(
      `matmul: inner dimensions differ: a is ${a.describe()} (transA=${ta}), b is ${b.describe()} (transB=${tb})`,
    );
  }
  return sparseMatmul(a, b, ta, tb);
}
