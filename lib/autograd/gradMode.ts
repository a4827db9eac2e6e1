import { requireFunction } from '../errors/args.js';

let enabled = true;

/** Whether ops record the graph for backward. */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording gradients (evaluation, metrics).
 *
 * @example
 * const logits = noGrad(() => model.forward(x, graph));
 */
export function noGrad<R>(fn: () => R): R {
  requireFunction('noGrad', 'fn', fn);
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/**
 * @internal Runs `fn` recording gradients, whatever the current mode: checkpoint()'s backward
 * re-runs its segment this way from inside a backward pass.
 */
export function withGrad<R>(fn: () => R): R {
  const previous = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
