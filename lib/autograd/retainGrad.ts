import { Tensor } from '../tensor/Tensor.js';

// Non-leaf tensors whose gradient backward() keeps: a WeakSet, so marking a tensor never
// keeps it alive.
const retained = new WeakSet<Tensor>();

/**
 * Asks the next backward() to keep the gradient of `t`, an intermediate (non-leaf) tensor such
 * as a layer's output, in `t.grad` (diagnostics read ∂L/∂Z^l this way). The gradient belongs to
 * `t`: it is freed with `t` (so tidy() scopes free both), and a second backward() replaces it.
 * Returns `t`. Leaves need no marking.
 *
 * @example
 * const { logits, features } = model.forwardFeatures(x, graph);
 * features.forEach(retainGrad);
 * backward(nllLoss(logSoftmax(logits), y, mask));
 * const g = features[3].grad;
 */
export function retainGrad<T extends Tensor>(t: T): T {
  if (!(t instanceof Tensor)) throw new TypeError(`retainGrad: argument t must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.disposed) throw new TypeError(`retainGrad: the tensor ${t.describe()} was disposed`);
  retained.add(t);
  return t;
}

/** @internal Whether backward() keeps the gradient of the non-leaf `t`. */
export function isGradRetained(t: Tensor): boolean {
  return retained.has(t);
}
