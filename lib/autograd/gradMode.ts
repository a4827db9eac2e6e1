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
