import { requireFunction } from '../errors/args.js';

// Scopes collect the tensors created while they are open, so one training step can free
// every intermediate at once (the idea of TensorFlow.js's tidy). A scope needs nothing of a
// tensor but dispose(), so it names no Tensor type: tensor/ builds on scope, not both ways.
interface Scoped {
  dispose(): void;
}
const stack: Set<Scoped>[] = [];

/** Called by the Tensor constructor. */
export function track(t: Scoped): void {
  stack[stack.length - 1]?.add(t);
}

/** Removes `t` from every open scope: it survives them all (parameters, results). */
export function keep<T extends Scoped>(t: T): T {
  for (const scope of stack) scope.delete(t);
  return t;
}

// Tensors returned directly, in arrays or in plain objects survive; typed arrays and class
// instances are opaque values.
function collect(value: unknown, out: Set<Scoped>): void {
  if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
  if ('dispose' in value && 'shape' in value && 'dtype' in value) {
    out.add(value as Scoped);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, out);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out);
  }
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors it returns
 * (directly, in an array or in a plain object), which move to the enclosing scope.
 *
 * @example
 * const loss = tidy(() => { const logits = model.forward(x, graph); return nllLoss(logSoftmax(logits), y).item(); });
 */
export function tidy<R>(fn: () => R): R {
  requireFunction('tidy', 'fn', fn);
  const scope = new Set<Scoped>();
  stack.push(scope);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  stack.pop();
  const survivors = new Set<Scoped>();
  collect(result, survivors);
  for (const t of scope) {
    if (survivors.has(t)) track(t);
    else t.dispose();
  }
  return result;
}
