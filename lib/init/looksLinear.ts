import type { Rng } from '../random/rng.js';
import { orthogonal } from './orthogonal.js';

/** Where a weight sits in the network, which decides its looks-linear block pattern. */
export type LooksLinearPosition = 'first' | 'hidden' | 'last';

/**
 * Looks-linear initialization (docs/methods.md §3) of a weight [rows, cols] (out × in), U orthogonal
 * with gain 1:
 * - first:  W = [U; −U]             (rows even, U is rows/2 × cols)
 * - hidden: W = [[U, −U], [−U, U]]  (rows and cols even, U is rows/2 × cols/2)
 * - last:   W = [U, −U]             (cols even, U is rows × cols/2)
 * With ReLU between layers the network then computes a linear function at init.
 * Odd widths are rejected with a RangeError that says which width to change.
 *
 * @example
 * const w = looksLinear(64, 64, new Rng(0), 'hidden');
 */
export function looksLinear(rows: number, cols: number, rng: Rng, position: LooksLinearPosition): Float64Array {
  const even = (n: number, what: string) => {
    if (n % 2 !== 0) {
      throw new RangeError(`looks-linear: the ${what} width must be even (heads × channels), got ${n}; use an even hidden width`);
    }
  };
  if (position !== 'last') even(rows, 'output');
  if (position !== 'first') even(cols, 'input');
  const ur = position === 'last' ? rows : rows / 2;
  const uc = position === 'first' ? cols : cols / 2;
  const u = orthogonal(ur, uc, rng);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const bi = i < ur ? 0 : 1;
      const bj = j < uc ? 0 : 1;
      const sign = bi === bj ? 1 : -1;
      out[i * cols + j] = sign * u[(i % ur) * uc + (j % uc)];
    }
  }
  return out;
}
