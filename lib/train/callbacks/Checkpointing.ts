import { CheckpointDir } from '../../checkpoint/CheckpointDir.js';
import { applyCheckpoint } from '../../checkpoint/applyCheckpoint.js';
import { DirLock } from '../../checkpoint/DirLock.js';
import { reconcileBest } from '../../checkpoint/reconcileBest.js';
import { saveCheckpoint } from '../../checkpoint/saveCheckpoint.js';
import { FathomError } from '../../errors/FathomError.js';
import { requireObject, requirePositiveInteger } from '../../errors/args.js';
import type { EpochReport } from '../fitTypes.js';
import type { Callback, FitContext } from './Callback.js';
import type { CheckpointingOptions, CheckpointWrite, StatefulCallback } from './checkpointingOptions.js';
import { epochReports } from './epochReports.js';

export type { CheckpointingOptions, CheckpointWrite, StatefulCallback } from './checkpointingOptions.js';

/**
 * Saves checkpoints (model, optimizer, dropout stream, epoch, best and last report) to a
 * CheckpointDir and, with `resume`, restores the newest valid one when fit() starts: training
 * then continues after its epoch on the trajectory of an uninterrupted run, bit for bit. Any
 * model works (one without config() is stored as weights and restored into the same instance).
 * The folder is locked while fit() runs. A damaged checkpoint is reported, renamed aside to
 * `*.corrupt` and the next older one used. best.safetensors is written before the epoch's
 * checkpoint, so whenever a run is killed it holds the best epoch the checkpoints report.
 * fit()'s `checkpoint` and `resume` options make one.
 *
 * @example
 * const result = await fit(model, data, { epochs: 200, callbacks: [new Checkpointing({ dir: 'runs/cora', every: 10, best: true, resume: true })] });
 * console.log(`continued after epoch ${result.resumedFrom}`);
 */
export class Checkpointing implements Callback {
  readonly dir: CheckpointDir;
  readonly every: number;
  readonly best: boolean;
  readonly resume: boolean;
  readonly config: Record<string, unknown> | undefined;
  readonly #stateful: Record<string, StatefulCallback>;
  readonly #warn: (message: string) => void;
  readonly #onWrite: ((write: CheckpointWrite) => void) | undefined;
  #lock: DirLock | null = null;

  constructor(options: CheckpointingOptions) {
    requireObject('Checkpointing', 'options', options);
    this.dir = new CheckpointDir(options.dir, options.keep ?? 2);
    this.every = requirePositiveInteger('Checkpointing', 'every', options.every ?? 1);
    this.best = options.best ?? false;
    this.resume = options.resume ?? false;
    requireObject('Checkpointing', 'options.config', options.config, true);
    this.config = options.config;
    this.#stateful = options.stateful ?? {};
    for (const key of ['onWarning', 'onWrite'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'function') throw new TypeError(`Checkpointing: options.${key} must be a function`);
    }
    this.#warn = options.onWarning ?? ((m) => process.emitWarning(m, { type: 'FathomWarning' }));
    this.#onWrite = options.onWrite;
  }

  onFitStart(ctx: FitContext): void {
    this.dir.ensure();
    this.#lock = DirLock.acquire(this.dir.lockPath, this.#warn);
    this.dir.removeTemporaries();
    if (!this.resume) return;
    let setAside = 0;
    const ckpt = this.dir.newestValid(
      (c) => epochReports(c),
      (path, problem, movedTo) => {
        setAside++;
        this.#warn(`resume: ${problem.startsWith(path) ? problem : `${path}: ${problem}`}; renamed to ${movedTo} (kept, not pruned)`);
      },
    );
    if (!ckpt) {
      if (setAside) this.#warn(`resume: no valid checkpoint left in ${this.dir.dir}: training starts from scratch`);
      return;
    }
    // A file that parses but does not fit this model is the caller's mismatch, not damage:
    // the error stops fit() and the file stays where it is.
    const info = applyCheckpoint(ckpt, ctx.model, ctx.optimizer);
    for (const [name, cb] of Object.entries(this.#stateful)) if (info.callbackState[name] !== undefined) cb.loadState(info.callbackState[name], ckpt.source);
    if (setAside) this.#warn(`resume: continuing from ${ckpt.source} (epoch ${ckpt.epoch}), the newest valid checkpoint`);
    const { best, last } = epochReports(ckpt);
    ctx.resume({ epoch: ckpt.epoch, best, last });
    if (this.best && best) reconcileBest(this.dir, best.epoch, this.#warn);
  }

  onEpochEnd(ctx: FitContext, report: EpochReport): void {
    const { epoch } = report;
    const callbackState = Object.fromEntries(Object.entries(this.#stateful).map(([name, cb]) => [name, cb.state()]));
    const contents = {
      model: ctx.model,
      optimizer: ctx.optimizer,
      epoch,
      metrics: { best: ctx.best, last: report },
      config: this.config,
      callbackState,
    };
    // Saved after the evaluation: it draws from the model's dropout stream too, and the
    // stream's state must be the one the next epoch starts from. best.safetensors first: a kill
    // between the two writes leaves it newer than the checkpoints, never older.
    if (this.best && report.bestEpoch === epoch) {
      saveCheckpoint(this.dir.bestPath, contents);
      this.#onWrite?.({ kind: 'best', path: this.dir.bestPath, epoch });
    }
    if (epoch % this.every === 0) {
      const path = this.dir.pathFor(epoch);
      saveCheckpoint(path, contents);
      this.#onWrite?.({ kind: 'epoch', path, epoch });
      this.dir.prune();
    }
  }

  onFitEnd(ctx: FitContext): void {
    // A resume from a checkpoint of the last epoch (a run killed just after finishing) runs
    // no epoch and reports the saved best and last epochs, which the checkpoint must hold.
    if (!ctx.best || !ctx.last) throw new FathomError(`fit: the checkpoint in ${this.dir.dir} has no epoch reports`, 'IO');
  }

  teardown(): void {
    this.#lock?.release();
    this.#lock = null;
  }
}
