import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';

/**
 * op(a) @ op(b) for constant sparse features `a` (the sparse branch of `matmul`, which checks
 * the arguments): one SpMM over a's CSR, or over its transpose when transA. The gradient of b
 * is the SpMM over the other of the two, op(a)ᵀ·dC, so neither direction touches a zero of a.
 */
export function sparseMatmul(a: SparseFeatures, b: Tensor, ta: boolean, tb: boolean): Tensor {
  const op = 'matmul';
  const spmm = (transposed: boolean, x: Tensor) => {
    const { csr, values } = a.operand(op, transposed);
    return new Tensor(native().spmm(csr, values, x.handle(op), 1, 0, op));
  };
  const transpose = (x: Tensor) => new Tensor(native().transpose(x.handle(op)));
  const opB = tb ? transpose(b) : b;
  const out = spmm(ta, opB);
  if (opB !== b) opB.dispose();
  return record(out, op, [b], (g) => {
    const gOpB = spmm(!ta, g);
    if (!tb) return [gOpB];
    const gb = transpose(gOpB);
    gOpB.dispose();
    return [gb];
  });
}
