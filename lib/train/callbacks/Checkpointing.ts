import { CheckpointDir } from '../../checkpoint/CheckpointDir.js';
import { isCheckpointable, type CheckpointableModel } from '../../checkpoint/checkpointFormat.js';
import { restoreCheckpoint } from '../../checkpoint/restoreCheckpoint.js';
import { saveCheckpoint } from '../../checkpoint/saveCheckpoint.js';
import { FathomError } from '../../errors/FathomError.js';
import type { NodeModel } from '../../models/NodeModel.js';
import { requireObject, requirePositiveInteger } from '../../errors/args.js';
import type { EpochReport } from '../fitTypes.js';
import type { Callback, FitContext } from './Callback.js';

export interface CheckpointingOptions {
  /** The folder (made when missing). */
  dir: string;
  /** Save every `every` epochs (default 1). */
  every?: number;
  /** Keep the newest `keep` periodic checkpoints (default 2). */
  keep?: number;
  /** Also save `best.safetensors` at every new best validation accuracy (default false). */
  best?: boolean;
  /** At fit start, continue from the newest valid checkpoint in `dir` (a fresh start if none). */
  resume?: boolean;
}

/**
 * Saves checkpoints (model, optimizer, dropout stream, epoch, best and last report) to a
 * CheckpointDir and, with `resume`, restores the newest one when fit() starts: training then
 * continues after its epoch on the trajectory of an uninterrupted run, bit for bit. Needs a
 * model with config() (GCN). fit()'s `checkpoint` and `resume` options make one.
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

  constructor(options: CheckpointingOptions) {
    requireObject('Checkpointing', 'options', options);
    this.dir = new CheckpointDir(options.dir, options.keep ?? 2);
    this.every = requirePositiveInteger('Checkpointing', 'every', options.every ?? 1);
    this.best = options.best ?? false;
    this.resume = options.resume ?? false;
  }

  onFitStart(ctx: FitContext): void {
    const model = ctx.model;
    if (!isCheckpointable(model))
      throw new TypeError(`fit: checkpoints need a model whose config() records its architecture; '${(model as NodeModel).name}' does not`);
    this.dir.ensure();
    if (!this.resume) return;
    this.dir.removeTemporaries();
    const path = this.dir.latest();
    if (!path) return;
    const info = restoreCheckpoint(path, { model, optimizer: ctx.optimizer });
    ctx.resume({ epoch: info.epoch, best: info.metrics.best as EpochReport | undefined, last: info.metrics.last as EpochReport | undefined });
  }

  onEpochEnd(ctx: FitContext, report: EpochReport): void {
    const { epoch } = report;
    const contents = { model: ctx.model as CheckpointableModel, optimizer: ctx.optimizer, epoch, metrics: { best: ctx.best, last: report } };
    // Saved after the evaluation: it draws from the model's dropout stream too, and the
    // stream's state must be the one the next epoch starts from.
    if (epoch % this.every === 0) {
      saveCheckpoint(this.dir.pathFor(epoch), contents);
      this.dir.prune();
    }
    if (this.best && report.bestEpoch === epoch) saveCheckpoint(this.dir.bestPath, contents);
  }

  onFitEnd(ctx: FitContext): void {
    // A resume from a checkpoint of the last epoch (a run killed just after finishing) runs
    // no epoch and reports the saved best and last epochs, which the checkpoint must hold.
    if (!ctx.best || !ctx.last) throw new FathomError(`fit: the checkpoint in ${this.dir.dir} has no epoch reports`, 'IO');
  }
}
