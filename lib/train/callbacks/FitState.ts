import type { NodeData } from '../../data/NodeData.js';
import type { NodeModel } from '../../models/NodeModel.js';
import type { Optimizer } from '../../optim/Optimizer.js';
import type { DiagnosticsRecord, EpochReport, FitResult } from '../fitTypes.js';
import type { FitMetric, Metrics } from '../evaluate.js';
import type { FitContext, StepResult, StopReason } from './Callback.js';
import { FathomError } from '../../errors/FathomError.js';

const REASONS: readonly StopReason[] = ['patience', 'callback'];

/** fit()'s side of the FitContext: it starts and ends the epochs and keeps the reports. */
export class FitState implements FitContext {
  readonly history: EpochReport[] = [];
  #epoch = 0;
  #start = 0;
  #best: EpochReport | undefined;
  #last: EpochReport | undefined;
  #stop: StopReason | null = null;
  #running = false;

  constructor(
    readonly model: NodeModel,
    readonly data: NodeData,
    readonly optimizer: Optimizer,
    readonly epochs: number,
    /** What picks the best epoch: validation accuracy, or validation ROC-AUC (FitOptions.metric). */
    readonly metric: FitMetric = 'accuracy',
  ) {}

  get epoch(): number {
    return this.#epoch;
  }

  get startEpoch(): number {
    return this.#start;
  }

  get best(): EpochReport | undefined {
    return this.#best;
  }

  get last(): EpochReport | undefined {
    return this.#last;
  }

  get stopReason(): StopReason | null {
    return this.#stop;
  }

  stop(reason: StopReason = 'callback'): void {
    if (!REASONS.includes(reason)) throw new RangeError(`fit: stop reason must be one of ${REASONS.join(', ')}, got ${String(reason)}`);
    this.#stop ??= reason;
  }

  resume(from: { epoch: number; best?: EpochReport; last?: EpochReport }): void {
    if (this.#running) throw new Error('fit: ctx.resume() works in onFitStart only');
    if (!Number.isInteger(from?.epoch) || from.epoch < 0) throw new RangeError(`fit: resume epoch must be a non-negative integer, got ${String(from?.epoch)}`);
    this.#start = this.#epoch = from.epoch;
    this.#best = from.best;
    this.#last = from.last;
  }

  beginEpoch(epoch: number): void {
    this.#running = true;
    this.#epoch = epoch;
  }

  /** The epoch's report from its step and evaluation; updates best, last and history. */
  endEpoch(step: StepResult, metrics: Metrics): EpochReport {
    const { epoch, trainLoss, stepMs, lr } = step;
    const auc = this.metric === 'roc-auc';
    if (auc && metrics.valAuc === undefined)
      throw new FathomError(`fit: epoch ${epoch} was evaluated without the ROC-AUC that metric 'roc-auc' needs`, 'INTERNAL');
    if (!this.#best || (auc ? metrics.valAuc! > (this.#best.valAuc ?? -1) : metrics.valAcc > this.#best.valAcc))
      this.#best = { epoch, trainLoss, stepMs, lr, ...metrics, bestEpoch: epoch, bestValAcc: metrics.valAcc, ...(auc ? { bestValAuc: metrics.valAuc } : {}) };
    const bestAuc = auc ? { bestValAuc: this.#best.valAuc } : {};
    const report: EpochReport = { epoch, trainLoss, stepMs, lr, ...metrics, bestEpoch: this.#best.epoch, bestValAcc: this.#best.valAcc, ...bestAuc };
    this.history.push(report);
    this.#last = report;
    return report;
  }

  result(best: EpochReport, last: EpochReport, diagnostics: DiagnosticsRecord[]): FitResult {
    const { history } = this;
    return { epochsRun: history.length, bestEpoch: best.epoch, best, last, history, stopped: this.#stop ?? 'epochs', resumedFrom: this.#start, diagnostics };
  }
}
