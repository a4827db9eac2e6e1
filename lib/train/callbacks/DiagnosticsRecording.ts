import { DiagnosticsRecorder } from '../../diagnostics/DiagnosticsRecorder.js';
import { diagnoseModel } from '../../diagnostics/diagnoseModel.js';
import { resolveMetrics, type DiagnosticMetric } from '../../diagnostics/metrics.js';
import { requireObject, requirePositiveInteger } from '../../errors/args.js';
import type { DiagnosticsRecord, EpochReport } from '../fitTypes.js';
import type { BackwardPass, Callback, FitContext, StepRequest } from './Callback.js';

export interface DiagnosticsRecordingOptions {
  /** Record after 0, every, 2·every, … epochs (default 10). */
  every?: number;
  /** Default: every metric. */
  metrics?: readonly DiagnosticMetric[];
}

/**
 * Records per-layer diagnostics (docs/methods.md §4) of the model after 0, every, 2·every, …
 * epochs. The record of epoch k is measured on the forward and backward pass of training step
 * k + 1, before its optimizer step, so a record costs only the reductions; it comes in that
 * epoch's report (`report.diagnostics`). The state after the last epoch, on the grid, gets
 * one extra pass (training mode, the dropout stream restored after it). relativeChange is
 * against the weights of the first step (after a resume, the restored ones). Needs a model
 * with forwardFeatures(). fit()'s `diagnostics` option makes one.
 *
 * @example
 * const diagnostics = new DiagnosticsRecording({ every: 20, metrics: ['featureScale', 'relativeChange'] });
 * await fit(model, data, { epochs: 200, callbacks: [diagnostics] });
 * console.log(diagnostics.records.map((r) => r.layers.at(-1)?.featureScale));
 */
export class DiagnosticsRecording implements Callback {
  readonly every: number;
  readonly metrics: readonly DiagnosticMetric[] | undefined;
  /** The records of the latest fit() this callback ran in, by epoch. */
  readonly records: DiagnosticsRecord[] = [];
  #recorder: DiagnosticsRecorder | null = null;
  #measuring = false;
  #pending: DiagnosticsRecord[] = [];

  constructor(options: DiagnosticsRecordingOptions = {}) {
    const op = 'DiagnosticsRecording';
    requireObject(op, 'options', options);
    this.every = requirePositiveInteger(op, 'every', options.every ?? 10);
    resolveMetrics(op, 'options.metrics', options.metrics);
    this.metrics = options.metrics;
  }

  onFitStart(ctx: FitContext): void {
    const { model } = ctx;
    if (!model.hasLayerFeatures) throw new TypeError(`fit: diagnostics need a model with per-layer features (forwardFeatures); '${model.name}' has none`);
    this.records.length = 0;
    this.#pending = [];
  }

  onStepStart(ctx: FitContext): StepRequest {
    // Made at the first step rather than at fit start: relativeChange and gatBalanceDrift
    // compare with the weights training starts from, after any restore in onFitStart.
    this.#recorder ??= new DiagnosticsRecorder(ctx.model, ctx.data, { metrics: this.metrics });
    this.#measuring = (ctx.epoch - 1) % this.every === 0;
    return { features: this.#measuring };
  }

  onBackward(ctx: FitContext, pass: BackwardPass): void {
    if (this.#measuring && pass.features) this.#pending.push({ epoch: ctx.epoch - 1, layers: this.#recorder!.measure(pass.features) });
  }

  onEpochEnd(ctx: FitContext, report: EpochReport): void {
    // The state after the last scheduled epoch has no next step to measure it on.
    if (ctx.epoch === ctx.epochs && ctx.epoch % this.every === 0) this.#pending.push(this.#final(ctx, ctx.epoch));
    if (!this.#pending.length) return;
    this.records.push(...this.#pending);
    report.diagnostics = report.diagnostics ? [...report.diagnostics, ...this.#pending] : this.#pending;
    this.#pending = [];
  }

  onFitEnd(ctx: FitContext): void {
    // Training stopped before its last epoch: the state it ended in, when on the grid.
    const last = ctx.last?.epoch ?? 0;
    if (ctx.history.length && last < ctx.epochs && last % this.every === 0) this.records.push(this.#final(ctx, last));
  }

  teardown(): void {
    this.#recorder?.dispose();
    this.#recorder = null;
  }

  #final(ctx: FitContext, epoch: number): DiagnosticsRecord {
    return { epoch, layers: diagnoseModel(ctx.model, ctx.data, { recorder: this.#recorder!, training: true }) };
  }
}
