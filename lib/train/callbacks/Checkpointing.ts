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
  /**
   * The run's configuration, stored in every checkpoint (CheckpointInfo.config): what a later
   * reader needs to prepare data as training did (`fathom train` records the dataset and its
   * feature normalization).
   */
  config?: Record<string, unknown>;
  /** Callbacks whose state the checkpoints carry and a resume restores, by name (fit()'s learning-rate schedule). */
  stateful?: Record<string, StatefulCallback>;
}

/** A callback with state that a checkpoint must hold for a bit-exact resume. */
export interface StatefulCallback {
  state(): unknown;
  loadState(state: unknown, source: string): void;
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
  readonly config: Record<string, unknown> | undefined;
  readonly #stateful: Record<string, StatefulCallback>;

  constructor(options: CheckpointingOptions) {
    requireObject('Checkpointing', 'options', options);
    this.dir = new CheckpointDir(options.dir, options.keep ?? 2);
    this.every = requirePositiveInteger('Checkpointing', 'every', options.every ?? 1);
    this.best = options.best ?? false;
    this.resume = options.resume ?? false;
    requireObject('Checkpointing', 'options.config', options.config, true);
    this.config = options.config;
    this.#stateful = options.stateful ?? {};
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
    for (const [name, cb] of Object.entries(this.#stateful)) if (info.callbackState[name] !== undefined) cb.loadState(info.callbackState[name], path);
    ctx.resume({ epoch: info.epoch, best: info.metrics.best as EpochReport | undefined, last: info.metrics.last as EpochReport | undefined });
  }

  onEpochEnd(ctx: FitContext, report: EpochReport): void {
    const { epoch } = report;
    const callbackState = Object.fromEntries(Object.entries(this.#stateful).map(([name, cb]) => [name, cb.state()]));
    const contents = {
      model: ctx.model as CheckpointableModel,
      optimizer: ctx.optimizer,
      epoch,
      metrics: { best: ctx.best, last: report },
      config: this.config,
      callbackState,
    };
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
