import { requireObject, requirePositiveInteger } from '../../errors/args.js';
import { GAT } from '../../models/GAT.js';
import { gatBalance } from '../../models/gatBalance.js';
import type { Callback, FitContext } from './Callback.js';

/** The GAT balance of the model after `epoch` epochs (see gatBalance). */
export interface GatBalancePoint {
  epoch: number;
  maxAbs: number;
  meanAbs: number;
}

export interface GatBalanceTrackerOptions {
  /** Measure after every `every` epochs (default 1), besides the start and the end. */
  every?: number;
}

/**
 * Tracks the GAT balance c^l (docs/methods.md §4, see gatBalance) while a GAT trains: at fit
 * start (after any restore), after every `every` epochs and at the end. Gradient flow conserves
 * every c_i^l, so a drift measures how far training left that regime. Reads the parameters to
 * the host; no pass, nothing in the training changes.
 *
 * @example
 * const balance = new GatBalanceTracker({ every: 50 });
 * await fit(gat, data, { epochs: 500, callbacks: [balance] });
 * console.log(balance.records[0].maxAbs, balance.records.at(-1)!.maxAbs); // at init, at the end
 */
export class GatBalanceTracker implements Callback {
  readonly every: number;
  /** The measurements of the latest fit() this callback ran in, by epoch. */
  readonly records: GatBalancePoint[] = [];

  constructor(options: GatBalanceTrackerOptions = {}) {
    requireObject('GatBalanceTracker', 'options', options);
    this.every = requirePositiveInteger('GatBalanceTracker', 'every', options.every ?? 1);
  }

  onFitStart(ctx: FitContext): void {
    if (!(ctx.model instanceof GAT)) throw new TypeError(`fit: GatBalanceTracker needs a GAT, got '${ctx.model.name}'`);
    this.records.length = 0;
    this.#measure(ctx.model, ctx.epoch);
  }

  onEpochEnd(ctx: FitContext): void {
    if (ctx.epoch % this.every === 0) this.#measure(ctx.model as GAT, ctx.epoch);
  }

  onFitEnd(ctx: FitContext): void {
    if (this.records.at(-1)?.epoch !== ctx.epoch) this.#measure(ctx.model as GAT, ctx.epoch);
  }

  #measure(model: GAT, epoch: number): void {
    const { maxAbs, meanAbs } = gatBalance(model.layerValues());
    this.records.push({ epoch, maxAbs, meanAbs });
  }
}
