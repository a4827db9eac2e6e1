import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { numberArg, tensorArg } from './checks.js';

// Dtypes, devices, shapes and the finiteness of the coefficients are checked by the native ops
// (FathomError TYPE, DEVICE, SHAPE, RANGE), each under the name of the op called.

/** Records out = alpha·x + beta·y. */
function linear(op: string, out: Tensor, alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
  const scaled = (g: Tensor, s: number) => new Tensor(native().scale(g.handle(op), s));
  return record(out, op, [x, y], (g) => [
    x.requiresGrad ? (alpha === 1 ? g : scaled(g, alpha)) : null,
    y.requiresGrad ? (beta === 1 ? g : scaled(g, beta)) : null,
  ]);
}

/**
 * alpha·x + beta·y, elementwise (same shapes). `add`, `sub` and `scale` are special cases.
 *
 * @example
 * const h = axpby(0.5, x, 0.5, y);   // the mean of x and y
 */
export function axpby(alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
  const op = 'axpby';
  numberArg(op, 'alpha', alpha);
  tensorArg(op, 'x', x);
  numberArg(op, 'beta', beta);
  tensorArg(op, 'y', y);
  return linear(op, new Tensor(native().axpby(alpha, x.handle(op), beta, y.handle(op))), alpha, x, beta, y);
}

/** x + y, elementwise (same shapes). */
export function add(x: Tensor, y: Tensor): Tensor {
  const op = 'add';
  tensorArg(op, 'x', x);
  tensorArg(op, 'y', y);
  return linear(op, new Tensor(native().add(x.handle(op), y.handle(op))), 1, x, 1, y);
}

/** x − y, elementwise (same shapes). */
export function sub(x: Tensor, y: Tensor): Tensor {
  const op = 'sub';
  tensorArg(op, 'x', x);
  tensorArg(op, 'y', y);
  return linear(op, new Tensor(native().sub(x.handle(op), y.handle(op))), 1, x, -1, y);
}

/** alpha·x */
export function scale(x: Tensor, alpha: number): Tensor {
  const op = 'scale';
  tensorArg(op, 'x', x);
  numberArg(op, 'alpha', alpha);
  const out = new Tensor(native().scale(x.handle(op), alpha));
  return record(out, op, [x], (g) => [new Tensor(native().scale(g.handle(op), alpha))]);
}

/** x ⊙ y, elementwise. */
export function mul(x: Tensor, y: Tensor): Tensor {
  const op = 'mul';
  tensorArg(op, 'x', x);
  tensorArg(op, 'y', y);
  const out = new Tensor(native().mul(x.handle(op), y.handle(op)));
  return record(out, op, [x, y], (g) => [
    x.requiresGrad ? new Tensor(native().mul(g.handle(op), y.handle(op))) : null,
    y.requiresGrad ? new Tensor(native().mul(g.handle(op), x.handle(op))) : null,
  ]);
}
