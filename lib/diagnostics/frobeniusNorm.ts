import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { requireInstance } from '../errors/args.js';
import { Tensor } from '../tensor/Tensor.js';

/**
 * ‖x‖_F, or ‖x − y‖_F when `y` (same dtype, device and shape) is given: accumulated in float64
 * on x's device, whatever x's dtype. Gradient scale and relative change use it.
 *
 * @example
 * const rel = frobeniusNorm(w, w0) / frobeniusNorm(w0);
 */
export function frobeniusNorm(x: Tensor, y?: Tensor): number {
  const op = 'frobeniusNorm';
  requireInstance(op, 'x', x, Tensor, 'a Tensor');
  if (y !== undefined) requireInstance(op, 'y', y, Tensor, 'a Tensor');
  return tidy(() => Math.sqrt(new Tensor(native().sumSquares(x.handle(op), y ? y.handle(op) : null)).item()));
}
