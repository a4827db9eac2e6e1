import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { isGradRetained } from './retainGrad.js';
import { keep } from './scope.js';

/**
 * Reverse-mode differentiation from `root`: fills `.grad` of every leaf tensor with
 * requiresGrad (accumulating into an existing `.grad`). `root` must be a scalar unless a
 * `seed` gradient of its shape is given. Several roots take one seed each: the gradient of
 * Σᵢ ⟨rootᵢ, seedᵢ⟩ in one pass (a vector-Jacobian product of several outputs, as PyTorch's
 * `torch.autograd.backward(tensors, grad_tensors)`). Intermediate gradients are freed as soon
 * as they have been propagated, except those of tensors marked with retainGrad(), which replace
 * their `.grad`; leaf gradients survive tidy() scopes and are freed with their tensor (or by an
 * optimizer's zeroGrad()).
 *
 * @example
 * const loss = nllLoss(logSoftmax(model.forward(x, graph)), y, trainMask);
 * backward(loss);
 * backward([out1, out2], [g1, g2]);   // the gradients of ⟨out1, g1⟩ + ⟨out2, g2⟩
 */
export function backward(root: Tensor | readonly Tensor[], seed?: Tensor | readonly Tensor[]): void {
  const roots = Array.isArray(root) ? (root as readonly Tensor[]) : [root as Tensor];
  const given = seed === undefined ? undefined : Array.isArray(seed) ? (seed as readonly Tensor[]) : [seed as Tensor];
  if (roots.length === 0) throw new RangeError('backward: no roots');
  if (given && given.length !== roots.length) throw new RangeError(`backward: ${roots.length} roots but ${given.length} seeds`);
  const name = (i: number) => (roots.length > 1 ? `root ${i}` : 'root');
  roots.forEach((r, i) => checkRoot(r, given?.[i], name(i)));
  if (new Set(roots).size !== roots.length) throw new RangeError('backward: a root is given twice');
  // The order first: it refuses a disposed intermediate before any seed tensor is made.
  const order = topologicalOrder(roots);
  const pending = new Map<Tensor, Tensor>();
  const seeds = new Set<Tensor>(given ?? []);
  roots.forEach((r, i) => pending.set(r, given?.[i] ?? Tensor.full(r.shape, 1, { dtype: r.dtype, device: r.device })));
  const leafGrads = new Set<Tensor>();

  // A gradient tensor may be shared (add returns the same gradient for both inputs), so it
  // is disposed only once nothing refers to it any more.
  const inUse = (g: Tensor): boolean => {
    for (const v of pending.values()) if (v === g) return true;
    return leafGrads.has(g);
  };
  const release = (g: Tensor): void => {
    if (!seeds.has(g) && !inUse(g)) g.dispose();
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
        const own = inUse(g) || seeds.has(g) ? g.clone() : g;
        t.grad = keep(own);
        leafGrads.add(own);
      }
      continue;
    }
    if (isGradRetained(t)) {
      // Kept like a leaf's gradient and never released below. Sharing it with inputs still
      // pending is safe (backward never writes into a pending gradient, and a leaf that later
      // receives it takes a copy); only another owner or the caller's seed forces a copy.
      const own = leafGrads.has(g) || seeds.has(g) ? g.clone() : g;
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

function checkRoot(root: Tensor, seed: Tensor | undefined, name: string): void {
  if (!(root instanceof Tensor)) throw new TypeError(`backward: argument ${name} must be a Tensor`);
  if (root.disposed) throw new TypeError(`backward: ${name} ${root.describe()} was disposed`);
  if (!root.requiresGrad) throw new RangeError(`backward: ${name} does not require grad (no parameter reaches it)`);
  if (seed !== undefined) {
    if (!(seed instanceof Tensor) || seed.disposed) throw new TypeError(`backward: the seed of ${name} must be a live Tensor`);
    if (seed.dtype !== root.dtype || seed.shape.join() !== root.shape.join()) {
      throw new RangeError(`backward: seed ${seed.describe()} does not match ${name} ${root.describe()}`);
    }
  } else if (root.numel !== 1) {
    throw new RangeError(`backward: ${name} ${root.describe()} is not a scalar; pass the seed gradient`);
  }
}

// Tensors reachable from the roots, each after every tensor that depends on it: the reverse
// post-order of one depth-first search started from each root in turn.
function topologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const visited = new Set<Tensor>();
  const post: Tensor[] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    visit(root, visited, post);
  }
  return post.reverse();
}

function visit(root: Tensor, visited: Set<Tensor>, post: Tensor[]): void {
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
}
