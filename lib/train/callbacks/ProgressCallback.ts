import { requireFunction } from '../../errors/args.js';
import type { EpochReport } from '../fitTypes.js';
import type { Callback, EpochDecision, FitContext } from './Callback.js';

/** A progress listener: gets every epoch's report; `false` (or a promise of it) stops training. */
export type EpochListener = (report: EpochReport) => void | boolean | Promise<void | boolean>;

/**
 * Calls a listener with every epoch's report and awaits it before the next epoch; a listener
 * answering false stops training with FitResult.stopped 'callback'. fit()'s `onEpoch` option
 * makes one.
 *
 * @example
 * const progress = new ProgressCallback((r) => console.log(`epoch ${r.epoch}: val ${(100 * r.valAcc).toFixed(1)}%`));
 * await fit(model, data, { epochs: 200, callbacks: [progress] });
 */
export class ProgressCallback implements Callback {
  readonly #listener: EpochListener;

  constructor(listener: EpochListener) {
    requireFunction('ProgressCallback', 'listener', listener);
    this.#listener = listener;
  }

  async onEpochEnd(_ctx: FitContext, report: EpochReport): Promise<EpochDecision> {
    if ((await this.#listener(report)) === false) return 'stop';
  }
}
