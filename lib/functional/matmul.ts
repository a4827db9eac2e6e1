import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import { brief, requireFloat, requireRank, requireSameDevice, requireSameDtype, tensorArg, valueError } from './checks.js';
import { sparseMatmul } from './sparseMatmul.js';

/**
 * op(a) @ op(b) for 2-D tensors, where op transposes when asked. `a` may be constant
 * {@link SparseFeatures}: the product is then an SpMM over its nonzeros (same result).
 * Operands of the wrong dtype, rank, inner size or device throw FathomError TYPE, SHAPE or DEVICE.
 *
 * @example
 * const y = matmul(x, w, { transB: true });   // x Wᵀ, as a Linear layer computes
 */
export function matmul(a: Tensor | SparseFeatures, b: Tensor, options: { transA?: boolean; transB?: boolean } = {}): Tensor {
  const op = 'matmul';
  if (a instanceof SparseFeatures) return sparseProduct(a, b, options);
  tensorArg(op, 'a', a);
  tensorArg(op, 'b', b);
  const ta = options.transA ?? false;
  const tb = options.transB ?? false;
  // Dtypes, ranks, devices and the inner dimensions are the native op's to check.
  const mm = (x: Tensor, y: Tensor, tx: boolean, ty: boolean) => new Tensor(native().matmul(x.handle(op), y.handle(op), tx, ty));
  const out = mm(a, b, ta, tb);
  // C = op(A) op(B): dA and dB written with the same native kernel and transposes.
  return record(out, op, [a, b], (g) => {
    const ga = a.requiresGrad ? (ta ? mm(b, g, tb, true) : mm(g, b, false, !tb)) : null;
    const gb = b.requiresGrad ? (tb ? mm(g, a, true, ta) : mm(a, g, !ta, false)) : null;
    return [ga, gb];
  });
}

// The checks stay here on this path: the native calls are a transpose of b and an SpMM over a's
// CSR (or its transpose), whose messages could not name matmul's a, b, transA and transB.
function sparseProduct(a: SparseFeatures, b: Tensor, options: { transA?: boolean; transB?: boolean }): Tensor {
  const op = 'matmul';
  tensorArg(op, 'b', b);
  requireFloat(op, 'b', b);
  requireRank(op, 'b', b, 2);
  const ta = options.transA ?? false;
  const tb = options.transB ?? false;
  requireSameDevice(op, 'a', a, 'b', b);
  requireSameDtype(op, 'a', a, 'b', b);
  const k1 = ta ? a.shape[0] : a.shape[1];
  const k2 = tb ? b.shape[1] : b.shape[0];
  if (k1 !== k2) {
    throw valueError('SHAPE', op, `inner dimensions differ: a is ${brief(a)} (transA=${ta}), b is ${brief(b)} (transB=${tb})`);
  }
  return sparseMatmul(a, b, ta, tb);
}
