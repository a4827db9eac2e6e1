import { native } from '../binding/native.js';
import { FathomError } from '../errors/FathomError.js';
import { Tensor } from '../tensor/Tensor.js';

/**
 * The column of the largest value in each row: of a tensor [R, C] (on its device), or of a
 * row-major array of R·C numbers with `numColumns` = C. The first of equal values wins and a
 * NaN counts as the largest (as torch.argmax), so a row gone non-finite does not pass for a
 * real class; the same rule as evaluate() and predict().
 *
 * @example
 * argmax(new Float32Array([0.1, 0.7, 0.2, 0.5, 0.5, 0]), 3); // Int32Array [1, 0]
 * using logits = model.forward(data.features, data.graph);
 * const classes = argmax(logits);
 */
export function argmax(values: Tensor | ArrayLike<number>, numColumns?: number): Int32Array {
  if (values instanceof Tensor) {
    if (values.shape.length !== 2) throw new FathomError(`argmax: argument values is ${values.describe()}; a tensor must be [rows, columns]`, 'SHAPE');
    using out = new Tensor(native().argmaxRows(values.handle('argmax')));
    return out.toArray() as Int32Array;
  }
  if (!ArrayBuffer.isView(values) && !Array.isArray(values)) throw new TypeError('argmax: argument values must be a Tensor, an array or a typed array');
  if (!Number.isInteger(numColumns) || (numColumns as number) < 1) {
    throw new FathomError(`argmax: argument numColumns must be a positive integer for an array, got ${String(numColumns)}`, 'RANGE');
  }
  const c = numColumns as number;
  if (values.length % c !== 0) throw new FathomError(`argmax: argument values has ${values.length} elements, not a multiple of numColumns ${c}`, 'SHAPE');
  const rows = values.length / c;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < c; j++) {
      const cur = values[r * c + best]!;
      if (Number.isNaN(cur)) break;
      const v = values[r * c + j]!;
      if (v > cur || Number.isNaN(v)) best = j;
    }
    out[r] = best;
  }
  return out;
}
