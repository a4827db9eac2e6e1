import { NodeData } from '../data/NodeData.js';
import { resolveMetrics } from '../diagnostics/metrics.js';
import { FathomError } from '../errors/FathomError.js';
import { requireInstance, requireObject, requirePositiveInteger } from '../errors/args.js';
import { NodeModel } from '../models/NodeModel.js';
import { Adam } from '../optim/Adam.js';
import type { Callback } from './callbacks/Callback.js';
import { CallbackList } from './callbacks/CallbackList.js';
import { Checkpointing } from './callbacks/Checkpointing.js';
import { DiagnosticsRecording } from './callbacks/DiagnosticsRecording.js';
import { EarlyStopping } from './callbacks/EarlyStopping.js';
import { FiniteCheck } from './callbacks/FiniteCheck.js';
import { FitState } from './callbacks/FitState.js';
import { ProgressCallback } from './callbacks/ProgressCallback.js';
import { evaluate } from './evaluate.js';
import type { FitOptions, FitResult } from './fitTypes.js';
import { trainStep } from './trainStep.js';

export { evaluate } from './evaluate.js';
export type { DiagnosticsRecord, EpochReport, FitOptions, FitResult } from './fitTypes.js';

/**
 * Full-batch node-classification training with masks, accuracy, early stopping on
 * validation accuracy, progress callbacks and cancellation. Yields to the event loop after
 * every training step and every evaluation, so a run never blocks it for longer than one
 * step. Each option beyond the optimizer's is a built-in Callback; `callbacks` adds more,
 * which run after them (see Callback for the hooks and their order).
 *
 * @example
 * const result = await fit(model, data, { epochs: 200, lr: 0.01, weightDecay: 5e-4, patience: 100 });
 * console.log(result.best.testAcc);
 */
export async function fit(model: NodeModel, data: NodeData, options: FitOptions = {}): Promise<FitResult> {
  requireInstance('fit', 'model', model, NodeModel, 'a NodeModel (a GCN, ResGCN, GAT, ...)');
  requireInstance('fit', 'data', data, NodeData, 'NodeData (NodeData.from(dataset))');
  requireObject('fit', 'options', options);
  const epochs = options.epochs ?? 200;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: epochs must be a positive integer, got ${epochs}`);
  if (data.numClasses < 1) throw new RangeError('fit: the data has no classes');
  const { builtIn, diagnostics } = builtInCallbacks(options);
  const callbacks = new CallbackList(builtIn, options.callbacks);
  const ownOptimizer = !options.optimizer;
  const optimizer = options.optimizer ?? new Adam(model.parameters(), { lr: options.lr ?? 0.01, weightDecay: options.weightDecay ?? 0 });
  const ctx = new FitState(model, data, optimizer, epochs);
  let finished = false;
  try {
    await callbacks.fitStart(ctx);
    for (let epoch = ctx.startEpoch + 1; epoch <= epochs; epoch++) {
      options.signal?.throwIfAborted();
      ctx.beginEpoch(epoch);
      const features = callbacks.stepStart(ctx);
      const t0 = performance.now();
      const trainLoss = trainStep(model, data, optimizer, features, (loss, layers) => callbacks.backward(ctx, { loss, features: layers }));
      const step = { epoch, trainLoss, stepMs: performance.now() - t0 };
      await callbacks.stepEnd(ctx, step);
      // Yield between the step and the evaluation too: each is a full forward pass, and
      // together they would hold the event loop for twice as long.
      await yieldToEventLoop();
      await callbacks.epochEnd(ctx, ctx.endEpoch(step, evaluate(model, data)));
      if (ctx.stopReason) break;
      await yieldToEventLoop();
    }
    await callbacks.fitEnd(ctx);
    finished = true;
  } finally {
    try {
      // A teardown error surfaces only when nothing failed before it.
      callbacks.teardown(ctx, finished);
    } finally {
      if (ownOptimizer) optimizer.dispose();
    }
  }
  if (!ctx.best || !ctx.last) throw new FathomError(`fit: no epoch ran and none was restored (epochs ${epochs}, resumed after ${ctx.startEpoch})`, 'IO');
  return ctx.result(ctx.best, ctx.last, diagnostics?.records ?? []);
}

/** The built-in callbacks the options ask for, in their documented order (see Callback). */
function builtInCallbacks(options: FitOptions): { builtIn: Callback[]; diagnostics: DiagnosticsRecording | null } {
  const patience = options.patience ?? 100;
  if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`fit: patience must be a non-negative integer, got ${patience}`);
  const c = options.checkpoint;
  if (!c && options.resume) throw new RangeError('fit: resume needs checkpoint.dir');
  if (c) requirePositiveInteger('fit', 'checkpoint.every', c.every ?? 1);
  requirePositiveInteger('fit', 'checkFinite.every', options.checkFinite?.every ?? 1);
  const d = options.diagnostics;
  requireObject('fit', 'options.diagnostics', d, true);
  requirePositiveInteger('fit', 'diagnostics.every', d?.every ?? 10);
  if (d) resolveMetrics('fit', 'diagnostics.metrics', d.metrics);
  const diagnostics = d ? new DiagnosticsRecording(d) : null;
  const builtIn: (Callback | null)[] = [
    diagnostics,
    options.checkFinite !== undefined ? new FiniteCheck(options.checkFinite) : null,
    c ? new Checkpointing({ ...c, resume: options.resume }) : null,
    options.onEpoch ? new ProgressCallback(options.onEpoch) : null,
    patience > 0 ? new EarlyStopping({ patience }) : null,
  ];
  return { builtIn: builtIn.filter((cb) => cb !== null), diagnostics };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
