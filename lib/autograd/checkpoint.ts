import { requireFunction } from '../errors/args.js';
import { Tensor } from '../tensor/Tensor.js';
import { backward } from './backward.js';
import { isGradEnabled, noGrad, withGrad } from './gradMode.js';
import { record } from './record.js';
import { tidy } from './scope.js';

/**
 * Activation checkpointing: runs `fn(...inputs)` without recording its graph, so none of its
 * intermediates outlive the call, and records one node in their place. Its backward re-runs `fn`
 * with gradients on from the inputs (detached from their own graph meanwhile), backpropagates the incoming gradient
 * through that recomputed subgraph (parameters used inside accumulate `.grad` as usual), frees
 * the recomputed intermediates and returns the inputs' gradients. Memory for a chain of L layers
 * cut into segments of k is then about L/k segment inputs plus one segment's intermediates,
 * for one more forward pass of compute.
 *
 * `fn` must compute the same function both times: anything random inside has to come from
 * values fixed before the call (dropout seeds drawn outside and captured by the closure), and it
 * must not change state that the second run would read (such as a power iteration's vectors).
 * Gradients reach parameters only through a recorded node, so at least one input has to require
 * grad; when none does (or gradients are off) `fn` simply runs as usual.
 *
 * @example
 * const seeds = blocks.map(() => rng.nextUint32());
 * const h2 = checkpoint((z) => blocks[1].forward(blocks[0].forward(z, graph, seeds[0]), graph, seeds[1]), [h]);
 */
export function checkpoint(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[]): Tensor {
  const op = 'checkpoint';
  requireFunction(op, 'fn', fn);
  if (!Array.isArray(inputs)) throw new TypeError(`${op}: argument inputs must be an array of Tensors`);
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`${op}: inputs[${i}] must be a Tensor, got ${x === null ? 'null' : typeof x}`);
    if (x.disposed) throw new TypeError(`${op}: inputs[${i}] ${x.describe()} was disposed`);
  });
  if (!isGradEnabled() || !inputs.some((x) => x.requiresGrad)) return fn(...inputs);
  const out = noGrad(() => tidy(() => resultOf(op, fn(...inputs))));
  // An output that is one of the inputs would get this node as its own gradFn: give it a copy.
  const owned = inputs.includes(out) ? out.clone() : out;
  return record(owned, op, inputs, (g) => recompute(op, fn, inputs, g));
}

function resultOf(op: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${op}: fn must return a Tensor, got ${value === null ? 'null' : typeof value}`);
  return value;
}

// The checkpointed node's backward: the segment once more, with gradients, then a nested
// backward pass seeded with the incoming gradient. The inputs serve as the recomputation's leaves
// themselves (no copy of a segment input at the peak): detached from their own graph for the
// nested pass, their .grad set aside, and both restored before the caller's pass goes on.
function recompute(op: string, fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], g: Tensor): (Tensor | null)[] {
  const unique = [...new Set(inputs)];
  const saved = unique.map((x) => ({ gradFn: x.gradFn, grad: x.grad }));
  for (const x of unique) {
    x.gradFn = null;
    x.grad = null;
  }
  const grads = new Map<Tensor, Tensor | null>();
  let done = false;
  try {
    tidy(() => {
      const out = withGrad(() => resultOf(op, fn(...inputs)));
      if (out.shape.join() !== g.shape.join() || out.dtype !== g.dtype) {
        throw new RangeError(
          `${op}: the recomputed output ${out.describe()} differs from the first run's ${g.describe()}; fn must compute the same function both times`,
        );
      }
      if (out.requiresGrad) backward(out, g);
    });
    done = true;
  } finally {
    unique.forEach((x, i) => {
      // The gradient leaves with the caller's backward pass, which frees it (or goes now, on error).
      if (done) grads.set(x, x.grad);
      else x.grad?.dispose();
      x.gradFn = saved[i].gradFn;
      x.grad = saved[i].grad;
    });
  }
  // An input listed twice got its whole gradient once: give it to the first slot only.
  const given = new Set<Tensor>();
  return inputs.map((x) => {
    if (given.has(x)) return null;
    given.add(x);
    return grads.get(x) ?? null;
  });
}
