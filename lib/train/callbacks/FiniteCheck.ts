import { findNonFinite } from '../../checkpoint/findNonFinite.js';
import { FathomError } from '../../errors/FathomError.js';
import { requireObject, requirePositiveInteger } from '../../errors/args.js';
import type { NodeModel } from '../../models/NodeModel.js';
import type { Callback, FitContext, StepResult } from './Callback.js';

export interface FiniteCheckOptions {
  /** Check at every `every`-th step (default 1): the parameters read back to the host cost a copy. */
  every?: number;
}

/**
 * Rejects fit() with a FathomError 'NUMERIC' at the first NaN or Inf: at every `every`-th step,
 * the parameters before the step, then the loss and the parameters after it. Checkpoints
 * taken before stay. fit()'s `checkFinite` option makes one.
 *
 * @example
 * await fit(model, data, { checkpoint: { dir: 'runs/a' }, callbacks: [new FiniteCheck({ every: 10 })] });
 */
export class FiniteCheck implements Callback {
  readonly every: number;

  constructor(options: FiniteCheckOptions = {}) {
    requireObject('FiniteCheck', 'options', options);
    this.every = requirePositiveInteger('FiniteCheck', 'every', options.every ?? 1);
  }

  onStepStart(ctx: FitContext): void {
    // Checked before the step as well: a parameter gone bad since the last step (an outside
    // write, a corrupted restore) is then named alone, before one more step spreads the NaN
    // to every other parameter through the gradients.
    if (ctx.epoch % this.every === 0) check(ctx.model, 0, ctx.epoch, 'before');
  }

  onStepEnd(ctx: FitContext, step: StepResult): void {
    if (step.epoch % this.every === 0) check(ctx.model, step.trainLoss, step.epoch, 'after');
  }
}

function check(model: NodeModel, loss: number, epoch: number, when: 'before' | 'after'): void {
  // The loss first: it came from the parameters before this step, so a bad loss with good
  // parameters points at the forward pass of step `epoch`.
  if (!Number.isFinite(loss)) throw new FathomError(`fit: the training loss is ${loss} at step ${epoch}; training stopped`, 'NUMERIC');
  const bad = findNonFinite(model);
  if (bad) {
    throw new FathomError(`fit: parameter '${bad.name}' holds ${bad.value} (element ${bad.index}) ${when} step ${epoch}; training stopped`, 'NUMERIC');
  }
}
