import type { NodeData } from '../../data/NodeData.js';
import type { NodeModel } from '../../models/NodeModel.js';
import type { Optimizer } from '../../optim/Optimizer.js';
import type { Tensor } from '../../tensor/Tensor.js';
import type { EpochReport } from '../epochReport.js';

/** Why training ended before its last epoch: early stopping ('patience') or any other callback. */
export type StopReason = 'patience' | 'callback';

/** A running fit() as its callbacks see it: one context per call, shared by every callback. */
export interface FitContext {
  readonly model: NodeModel;
  readonly data: NodeData;
  readonly optimizer: Optimizer;
  /** The last epoch this call may run (FitOptions.epochs). */
  readonly epochs: number;
  /** The epoch under way (from onStepStart to onEpochEnd); before the first, startEpoch. */
  readonly epoch: number;
  /** The epoch this call continues after: 0 for a fresh run, a restored checkpoint's epoch otherwise. */
  readonly startEpoch: number;
  /** The report of the best-validation epoch so far (restored ones included). */
  readonly best: EpochReport | undefined;
  /** The newest report (restored ones included); during onEpochEnd, the current epoch's. */
  readonly last: EpochReport | undefined;
  /** The reports of the epochs this call has run, in order. */
  readonly history: readonly EpochReport[];
  /** The reason given to the first stop() call; null while training goes on. */
  readonly stopReason: StopReason | null;
  /**
   * Ends training after the current epoch (the first, when called in onFitStart): every
   * callback still gets that epoch's onEpochEnd, and no epoch starts after it. The first
   * reason given is the one FitResult.stopped reports.
   */
  stop(reason?: StopReason): void;
  /**
   * During onFitStart only: continue after `epoch`, with the best and last reports saved
   * then (what Checkpointing does on a resume).
   */
  resume(from: { epoch: number; best?: EpochReport; last?: EpochReport }): void;
}

/** What a callback asks of the coming training step (returned from onStepStart). */
export interface StepRequest {
  /** Run the step through forwardFeatures(), every layer's features keeping their gradients for onBackward. */
  features?: boolean;
}

/** The training step's pass, after backward and before the optimizer step: gradients are live. */
export interface BackwardPass {
  /** The training loss, a scalar tensor (freed when the step ends). */
  readonly loss: Tensor;
  /** Each layer's features with their gradients, when a callback asked for them; else null. */
  readonly features: readonly Tensor[] | null;
}

/** A finished training step (after the optimizer step, before the evaluation). */
export interface StepResult {
  readonly epoch: number;
  readonly trainLoss: number;
  /** Wall time of the step (forward, backward, onBackward hooks, optimizer), ms. */
  readonly stepMs: number;
  /** The optimizer's learning rate during the step. */
  readonly lr: number;
}

/** What onEpochEnd may answer: 'stop' is ctx.stop('callback'). */
export type EpochDecision = void | 'stop';

/**
 * Hooks into fit(); every one is optional. fit() runs its built-in callbacks first, in this
 * order: DiagnosticsRecording, FiniteCheck, LrScheduler (lrSchedule), Checkpointing,
 * ProgressCallback (onEpoch) and EarlyStopping (patience), each only when its option is set,
 * then `options.callbacks` in the order given, and last RestoreBest (restoreBest, on by default),
 * so that it sees every resume and leaves the best weights after every other onFitEnd. Each hook runs for every callback in that order (teardown in reverse),
 * and a promise a hook returns is awaited before the next callback's hook runs.
 *
 * One call of fit(), in time:
 * 1. onFitStart: once, before the first epoch (a resume restores here).
 * 2. Per epoch: the abort signal is checked; onStepStart; the training step, with onBackward
 *    after its backward pass; onStepEnd; a yield to the event loop; the evaluation and the
 *    epoch's report; onEpochEnd, with the report (every callback sees every epoch, even one
 *    where an earlier callback asked to stop); then, if any stop was asked, the end of training,
 *    else a yield to the event loop and the next epoch.
 * 3. onFitEnd: once, when training ends without an error (last epoch, or a stop).
 * 4. teardown: always, whether fit() resolves or rejects: free what the callback holds.
 *
 * A hook that throws (or rejects) ends training: fit() rejects with that error, after every
 * teardown and the disposal of the optimizer fit() made.
 *
 * @example
 * const losses: number[] = [];
 * const logger: Callback = {
 *   onEpochEnd: (ctx, report) => {
 *     losses.push(report.trainLoss);
 *     if (report.trainAcc === 1) return 'stop'; // result.stopped is then 'callback'
 *   },
 * };
 * const result = await fit(model, data, { epochs: 200, patience: 0, callbacks: [logger, new EarlyStopping({ patience: 50 })] });
 */
export interface Callback {
  onFitStart?(ctx: FitContext): void | Promise<void>;
  /** Before the step; return `{ features: true }` to get per-layer features in onBackward. */
  onStepStart?(ctx: FitContext): StepRequest | void;
  /** Inside the step, after backward and before the optimizer step; synchronous. */
  onBackward?(ctx: FitContext, pass: BackwardPass): void;
  onStepEnd?(ctx: FitContext, step: StepResult): void | Promise<void>;
  /**
   * After the evaluation, with the epoch's report (ctx.best and ctx.last already include it).
   * A callback may add to the report (DiagnosticsRecording adds its records); later callbacks
   * see the addition. Return 'stop' (or call ctx.stop) to end training after this epoch.
   */
  onEpochEnd?(ctx: FitContext, report: EpochReport): EpochDecision | Promise<EpochDecision>;
  onFitEnd?(ctx: FitContext): void | Promise<void>;
  /** Always runs last, on success or failure; synchronous. */
  teardown?(ctx: FitContext): void;
}
