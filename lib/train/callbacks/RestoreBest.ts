import { existsSync } from 'node:fs';

import { applyCheckpoint } from '../../checkpoint/applyCheckpoint.js';
import { parseCheckpoint } from '../../checkpoint/parseCheckpoint.js';
import type { CheckpointableModel } from '../../checkpoint/checkpointFormat.js';
import { FathomError } from '../../errors/FathomError.js';
import { readSafetensors } from '../../io/readSafetensors.js';
import type { Tensor } from '../../tensor/Tensor.js';
import type { EpochReport } from '../fitTypes.js';
import type { Callback, FitContext } from './Callback.js';
import { requireObject } from '../../errors/args.js';

export interface RestoreBestOptions {
  /**
   * Where the weights of a best epoch from before a resume are: a `best.safetensors` that a
   * Checkpointing callback keeps (fit()'s `checkpoint` option with `best`). Null without one.
   */
  bestPath?: string | null;
}

/**
 * Leaves the model with the weights of the best-validation epoch (the one FitResult.best
 * reports) when fit() ends without an error: a copy of the parameters, on the model's device,
 * taken at every new best; for a best epoch from before a resume, the weights in
 * `best.safetensors`. Only the parameters change: the dropout stream and the optimizer stay as
 * after the last epoch. When fit() fails, the model keeps the weights it failed with.
 * fit()'s `restoreBest` option (default on) makes one, run after every other callback.
 *
 * @example
 * const result = await fit(model, data, { epochs: 200 }); // restoreBest: true by default
 * const { classes } = model.predict(data.features, data.graph); // the weights of epoch result.bestEpoch
 */
export class RestoreBest implements Callback {
  readonly bestPath: string | null;
  #copy: Tensor[] | null = null;
  #copyEpoch = -1;

  constructor(options: RestoreBestOptions = {}) {
    requireObject('RestoreBest', 'options', options);
    this.bestPath = options.bestPath ?? null;
  }

  onFitStart(ctx: FitContext): void {
    // Runs after every other onFitStart, so a resume has happened: a best epoch from before it
    // needs the file, and its absence is told now rather than after training.
    if (ctx.best && ctx.startEpoch > 0 && !(this.bestPath && existsSync(this.bestPath))) {
      throw new FathomError(
        `fit: restoreBest cannot restore the best epoch ${ctx.best.epoch} of the resumed run without its best.safetensors${this.bestPath ? ` (${this.bestPath} is missing)` : ''}; set checkpoint.best: true or restoreBest: false`,
        'IO',
      );
    }
  }

  onEpochEnd(ctx: FitContext, report: EpochReport): void {
    if (report.bestEpoch !== report.epoch) return;
    const params = ctx.model.parameters();
    this.#copy ??= params.map((p) => p.zerosLike());
    params.forEach((p, i) => this.#copy![i]!.handle('restoreBest').copyFrom(p.handle('restoreBest')));
    this.#copyEpoch = report.epoch;
  }

  onFitEnd(ctx: FitContext): void {
    const best = ctx.best;
    if (!best || best.epoch === ctx.last?.epoch) return; // already the weights of the best epoch
    if (this.#copy && this.#copyEpoch === best.epoch) {
      ctx.model.parameters().forEach((p, i) => p.assign(this.#copy![i]!));
      return;
    }
    this.#fromFile(ctx.model as unknown as CheckpointableModel, best.epoch);
  }

  teardown(): void {
    for (const t of this.#copy ?? []) t.dispose();
    this.#copy = null;
    this.#copyEpoch = -1;
  }

  #fromFile(model: CheckpointableModel, epoch: number): void {
    const path = this.bestPath;
    if (!path) throw new FathomError(`fit: restoreBest has no copy of the best epoch ${epoch}`, 'INTERNAL');
    const ckpt = parseCheckpoint(readSafetensors(path), path);
    if (ckpt.epoch !== epoch) {
      throw new FathomError(
        `fit: restoreBest: ${path} holds epoch ${ckpt.epoch}, not the best epoch ${epoch}; set restoreBest: false to keep the last weights`,
        'IO',
      );
    }
    // The parameters only: the dropout stream stays where the last epoch left it.
    const rng = model.rngState;
    applyCheckpoint(ckpt, model);
    if (rng && model.setRngState) model.setRngState(rng);
  }
}
