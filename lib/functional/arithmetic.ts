import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { finiteNumber, floatArg, sameDevice, sameDtype, sameShape } from './checks.js';

function binaryArgs(op: string, x: Tensor, y: Tensor): void {
  floatArg(op, 'x', x);
  floatArg(op, 'y', y);
  sameDtype(op, ['x', x], ['y', y]);
  sameDevice(op, ['x', x], ['y', y]);
  sameShape(op, ['x', x], ['y', y]);
}

/**
 * alpha·x + beta·y, elementwise (same shapes). `add`, `sub` and `scale` are special cases.
 *
 * @example
 * const h = axpby(0.5, x, 0.5, y);   // the mean of x and y
 */
export function axpby(alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
  return combine('axpby', alpha, x, beta, y);
}

function combine(op: string, alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
  finiteNumber(op, 'alpha', alpha);
  finiteNumber(op, 'beta', beta);
  binaryArgs(op, x, y);
  const out = new Tensor(native().axpby(alpha, x.handle(op), beta, y.handle(op)));
  const scaled = (g: Tensor, s: number) => new Tensor(native().scale(g.handle(op), s));
  return record(out, op, [x, y], (g) => [
    x.requiresGrad ? (alpha === 1 ? g : scaled(g, alpha)) : null,
    y.requiresGrad ? (beta === 1 ? g : scaled(g, beta)) : null,
  ]);
}

/** x + y, elementwise (same shapes). */
export const add = (x: Tensor, y: Tensor): Tensor => combine('add', 1, x, 1, y);
/** x − y, elementwise (same shapes). */
export const sub = (x: Tensor, y: Tensor): Tensor => combine('sub', 1, x, -1, y);

/** alpha·x */
export function scale(x: Tensor, alpha: number): Tensor {
  const op = 'scale';
  floatArg(op, 'x', x);
  finiteNumber(op, 'alpha', alpha);
  const out = new Tensor(native().scale(x.handle(op), alpha));
  return record(out, op, [x], (g) => [new Tensor(native().scale(g.handle(op), alpha))]);
}

/** x ⊙ y, elementwise. */
export function mul(x: Tensor, y: Tensor): Tensor {
  const op = 'mul';
  binaryArgs(op, x, y);
  const out = new Tensor(native().mul(x.handle(op), y.handle(op)));
  return record(out, op, [x, y], (g) => [
    x.requiresGrad ? new Tensor(native().mul(g.handle(op), y.handle(op))) : null,
    y.requiresGrad ? new Tensor(native().mul(g.handle(op), x.handle(op))) : null,
  ]);
}
