import { findNonFinite } from '../../checkpoint/findNonFinite.js';
import { FathomError } from '../../errors/FathomError.js';
import { requireObject, requirePositiveInteger } from '../../errors/args.js';
import type { NodeModel } from '../../models/NodeModel.js';
import type { Callback, FitContext, StepResult } from './Callback.js';

export interface FiniteCheckOptions {
  /** Check the parameters at every `every`-th step (default 10): reading them back to the host costs a copy. */
  every?: number;
}

/**
 * Rejects fit() with a FathomError 'NUMERIC' at the first NaN or Inf: the training loss after
 * every step (it is read anyway, so the check is free), and at every `every`-th step the
 * parameters before the step and after it. Checkpoints taken before stay. fit() runs one by
 * default (its `checkFinite` option; `false` turns it off).
 *
 * @example
 * await fit(model, data, { checkpoint: { dir: 'runs/a' }, checkFinite: false, callbacks: [new FiniteCheck({ every: 1 })] });
 */
export class FiniteCheck implements Callback {
  readonly every: number;

  constructor(options: FiniteCheckOptions = {}) {
    requireObject('FiniteCheck', 'options', options);
    this.every = requirePositiveInteger('FiniteCheck', 'every', options.every ?? 10);
  }

  onStepStart(ctx: FitContext): void {
    // Checked before the step as well: a parameter gone bad since the last step (an outside
    // write, a corrupted restore) is then named alone, before one more step spreads the NaN
    // to every other parameter through the gradients.
    if (ctx.epoch % this.every === 0) checkParameters(ctx.model, ctx.epoch, 'before');
  }

  onStepEnd(ctx: FitContext, step: StepResult): void {
    // The loss first: it came from the parameters before this step, so a bad loss with good
    // parameters points at the forward pass of step `epoch`.
    const loss = step.trainLoss;
    if (!Number.isFinite(loss)) {
      throw new FathomError(
        `fit: the training loss is ${loss} at step ${step.epoch}; training stopped (non-finite features or weights, or a learning rate too high; checkFinite: false turns this check off)`,
        'NUMERIC',
      );
    }
    if (step.epoch % this.every === 0) checkParameters(ctx.model, step.epoch, 'after');
  }
}

function checkParameters(model: NodeModel, epoch: number, when: 'before' | 'after'): void {
  const bad = findNonFinite(model);
  if (bad) {
    throw new FathomError(`fit: parameter '${bad.name}' holds ${bad.value} (element ${bad.index}) ${when} step ${epoch}; training stopped`, 'NUMERIC');
  }
}
