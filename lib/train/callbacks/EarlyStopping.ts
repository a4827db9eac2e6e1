import { requireObject, requirePositiveInteger } from '../../errors/args.js';
import type { Callback, FitContext } from './Callback.js';

export interface EarlyStoppingOptions {
  /** Epochs without a better validation accuracy (ROC-AUC with fit's metric 'roc-auc') before training stops (a positive integer). */
  patience: number;
}

/**
 * Early stopping on the validation metric: ends training `patience` epochs after the
 * best-validation epoch (ctx.best, by validation accuracy or, with fit's `metric: 'roc-auc'`,
 * validation ROC-AUC; restored checkpoints included), with FitResult.stopped
 * 'patience'. fit()'s `patience` option makes one.
 *
 * @example
 * const result = await fit(model, data, { patience: 0, callbacks: [new EarlyStopping({ patience: 100 })] });
 * if (result.stopped === 'patience') console.log(`no better validation accuracy after epoch ${result.bestEpoch}`);
 */
export class EarlyStopping implements Callback {
  readonly patience: number;

  constructor(options: EarlyStoppingOptions) {
    requireObject('EarlyStopping', 'options', options);
    this.patience = requirePositiveInteger('EarlyStopping', 'patience', options.patience);
  }

  onEpochEnd(ctx: FitContext): void {
    if (ctx.best && ctx.epoch - ctx.best.epoch >= this.patience) ctx.stop('patience');
  }
}
