import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { tensorArg, valueError } from './checks.js';

/**
 * Message passing with constant entry values over `op`'s pattern: out = W x, with `values` in the
 * operator's CSR entry order and `transposedValues` the same weights in its transposed CSR's
 * order, so the backward dx = Wᵀ g is one SpMM with no per-step reordering (what a sampled
 * block's GCN normalization uses, Block.gcnNorm). Differentiable with respect to x only; the
 * native SpMM checks both value vectors against the operator and x.
 *
 * @example
 * const { operator, values, transposedValues } = block.gcnNorm();
 * const h = propagateFixed(operator, x, values, transposedValues); // [numTargets, F]
 */
export function propagateFixed(op: GraphOperator, x: Tensor, values: Tensor, transposedValues: Tensor): Tensor {
  const name = 'propagateFixed';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator`);
  tensorArg(name, 'x', x);
  tensorArg(name, 'values', values);
  tensorArg(name, 'transposedValues', transposedValues);
  // Native checks `values` on the forward; the transposed ones must match them now, not at backward.
  if (transposedValues.dtype !== values.dtype) {
    throw valueError('TYPE', name, `argument transposedValues ${transposedValues.describe()} must have the dtype of values ${values.describe()}`);
  }
  if (transposedValues.device !== values.device) {
    throw valueError('DEVICE', name, `argument transposedValues ${transposedValues.describe()} must be on the device of values ${values.describe()}`);
  }
  if (transposedValues.shape.length !== 1 || transposedValues.shape[0] !== op.nnz) {
    throw valueError('SHAPE', name, `argument transposedValues ${transposedValues.describe()} must be [${op.nnz}] (the operator's entries)`);
  }
  const b = native();
  const out = new Tensor(b.spmm(op.forward(name), values.handle(name), x.handle(name), 1, 0, name));
  return record(out, name, [x], (g) => [new Tensor(b.spmm(op.transposed(name), transposedValues.handle(name), g.handle(name), 1, 0, name))]);
}
