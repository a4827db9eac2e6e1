import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { isGradRetained } from './retainGrad.js';
import { keep } from './scope.js';

/**
 * Reverse-mode differentiation from `root`: fills `.grad` of every leaf tensor with
 * requiresGrad (accumulating into an existing `.grad`). `root` must be a scalar unless a
 * `seed` gradient of its shape is given. Intermediate gradients are freed as soon as they have
 * been propagated, except those of tensors marked with retainGrad(), which replace their
 * `.grad`; leaf gradients survive tidy() scopes and are freed with their tensor (or by an
 * optimizer's zeroGrad()).
 *
 * @example
 * const loss = nllLoss(logSoftmax(model.forward(x, graph)), y, trainMask);
 * backward(loss);
 */
export function backward(root: Tensor, seed?: Tensor): void {
  if (!(root instanceof Tensor)) throw new TypeError('backward: argument root must be a Tensor');
  if (root.disposed) throw new TypeError(`backward: root ${root.describe()} was disposed`);
  if (!root.requiresGrad) throw new RangeError('backward: root does not require grad (no parameter reaches it)');
  if (seed !== undefined) {
    if (!(seed instanceof Tensor) || seed.disposed) throw new TypeError('backward: seed must be a live Tensor');
    if (seed.dtype !== root.dtype || seed.shape.join() !== root.shape.join()) {
      throw new RangeError(`backward: seed ${seed.describe()} does not match root ${root.describe()}`);
    }
  } else if (root.numel !== 1) {
    throw new RangeError(`backward: root ${root.describe()} is not a scalar; pass the seed gradient`);
  }
  const order = topologicalOrder(root);
  const pending = new Map<Tensor, Tensor>();
  pending.set(root, seed ?? Tensor.full(root.shape, 1, { dtype: root.dtype, device: root.device }));
  const leafGrads = new Set<Tensor>();

  // A gradient tensor may be shared (add returns the same gradient for both inputs), so it
  // is disposed only once nothing refers to it any more.
  const inUse = (g: Tensor): boolean => {
    for (const v of pending.values()) if (v === g) return true;
    return leafGrads.has(g);
  };
  const release = (g: Tensor): void => {
    if (g !== seed && !inUse(g)) g.dispose();
  };

  for (const t of order) {
    const g = pending.get(t);
    if (!g) continue;
    pending.delete(t);
    if (!t.gradFn) {
      if (t.grad && !t.grad.disposed) {
        native().addInPlace(t.grad.handle('backward'), g.handle('backward'), 1);
        release(g);
      } else {
        // A leaf owns its gradient: never share one tensor between two leaves or with the seed.
        const own = inUse(g) || g === seed ? g.clone() : g;
        t.grad = keep(own);
        leafGrads.add(own);
      }
      continue;
    }
    if (isGradRetained(t)) {
      // Kept like a leaf's gradient and never released below. Sharing it with inputs still
      // pending is safe (backward never writes into a pending gradient, and a leaf that later
      // receives it takes a copy); only another owner or the caller's seed forces a copy.
      const own = leafGrads.has(g) || g === seed ? g.clone() : g;
      if (t.grad && t.grad !== own) t.grad.dispose();
      t.grad = keep(own);
      leafGrads.add(own);
    }
    const grads = t.gradFn.backward(g);
    // Released only after every input took its gradient: one tensor may serve several inputs.
    const spent: Tensor[] = [g];
    t.gradFn.inputs.forEach((input, i) => {
      const gi = grads[i];
      if (!gi) return;
      if (!input?.requiresGrad) {
        spent.push(gi);
        return;
      }
      const current = pending.get(input);
      if (!current) {
        pending.set(input, gi);
      } else {
        pending.set(input, new Tensor(native().add(current.handle('backward'), gi.handle('backward'))));
        spent.push(current, gi);
      }
    });
    for (const x of new Set(spent)) release(x);
  }
}

// Tensors reachable from root, each after every tensor that depends on it.
function topologicalOrder(root: Tensor): Tensor[] {
  const visited = new Set<Tensor>([root]);
  const post: Tensor[] = [];
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const next = inputs[i];
      if (next?.requiresGrad && !visited.has(next)) {
        if (next.disposed) {
          throw new TypeError(`backward: ${next.describe()}, an input of ${t.gradFn!.name}, was disposed before backward`);
        }
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      post.push(t);
      stack.pop();
    }
  }
  return post.reverse();
}
