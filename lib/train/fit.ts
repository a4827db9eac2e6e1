import { NodeData } from '../data/NodeData.js';
import { resolveMetrics } from '../diagnostics/metrics.js';
import { FathomError } from '../errors/FathomError.js';
import { requireInstance, requireObject } from '../errors/args.js';
import { NodeModel } from '../models/NodeModel.js';
import { Adam } from '../optim/Adam.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Callback } from './callbacks/Callback.js';
import { CallbackList } from './callbacks/CallbackList.js';
import { Checkpointing } from './callbacks/Checkpointing.js';
import { DiagnosticsRecording } from './callbacks/DiagnosticsRecording.js';
import { EarlyStopping } from './callbacks/EarlyStopping.js';
import { FiniteCheck } from './callbacks/FiniteCheck.js';
import { FitState } from './callbacks/FitState.js';
import { LrScheduler } from './callbacks/LrScheduler.js';
import { ProgressCallback } from './callbacks/ProgressCallback.js';
import { RestoreBest } from './callbacks/RestoreBest.js';
import { evaluate, evaluateLayerwise, requireMetric } from './evaluate.js';
import { isLayerwiseModel, type LayerwiseModel } from './layerwiseInference.js';
import { checkFitOptions } from './fitOptionsSchema.js';
import type { FitOptions, FitResult } from './fitTypes.js';
import { cudaGraphWanted, fitCompilation } from './fitCompilation.js';
import { trainStep } from './trainStep.js';
import { BatchEpochs } from './batchEpoch.js';
import { PartitionEpochs } from './partitionEpoch.js';
import { PartitionLoader } from '../sampling/partitionLoader.js';
import { DataParallelFit } from '../distributed/DataParallelFit.js';

export { evaluate, type FitMetric } from './evaluate.js';
export type { CompileOptions, DiagnosticsRecord, EpochReport, FitOptions, FitResult } from './fitTypes.js';

// Models inside a running fit(): a second concurrent fit() on one would interleave its
// updates with the first's, and both would report garbage.
const training = new WeakSet<NodeModel>();

/**
 * Full-batch node-classification training with masks, accuracy, early stopping on
 * validation accuracy, progress callbacks and cancellation. Yields to the event loop after
 * every training step and every evaluation, so a run never blocks it for longer than one
 * step. Each option beyond the optimizer's is a built-in Callback; `callbacks` adds more,
 * which run after them (see Callback for the hooks and their order). The options are checked
 * before anything runs (see FitOptions); the model ends with the weights of the best epoch
 * (`restoreBest`); a non-finite loss stops training (`checkFinite`); a model already in a
 * running fit() is refused. With `distributed` the run is data-parallel over the processes of
 * an mpirun job (see FitOptions.distributed and docs/distributed.md).
 *
 * @example
 * const result = await fit(model, data, { epochs: 200, lr: 0.01, weightDecay: 5e-4, patience: 100 });
 * console.log(result.best.testAcc);
 * const { classes } = model.predict(data.features, data.graph); // the weights of result.bestEpoch
 */
export async function fit(model: NodeModel, data: NodeData, options: FitOptions = {}): Promise<FitResult> {
  requireInstance('fit', 'model', model, NodeModel, 'a NodeModel (a GCN, ResGCN, GAT, ...)');
  requireInstance('fit', 'data', data, NodeData, 'NodeData (NodeData.from(dataset))');
  requireObject('fit', 'options', options);
  checkFitOptions(options);
  const epochs = options.epochs ?? 200;
  if (data.numClasses < 1) throw new RangeError('fit: the data has no classes');
  if (training.has(model)) {
    throw new FathomError(`fit: this ${model.name} is already training in another fit() call; await that one first (or train a copy)`, 'RANGE');
  }
  const metric = options.metric ?? 'accuracy';
  requireMetric('fit', metric, data);
  const { builtIn, last, diagnostics } = builtInCallbacks(options);
  // Everything that can refuse the options comes before the optimizer fit() may create.
  const b = options.batches;
  const layerwise = layerwiseEvaluation(model, options);
  const all = new CallbackList(builtIn, options.callbacks, last);
  const dp = options.distributed ? new DataParallelFit(model, data, b, options.features) : null;
  // Under data parallelism only rank 0 evaluates, reports and writes (see DataParallelFit).
  const callbacks = dp && !dp.leader ? new CallbackList([], [], []) : all;
  const batches = !b || dp ? null : b instanceof PartitionLoader ? new PartitionEpochs(model, data, b) : new BatchEpochs(model, data, b);
  const ownOptimizer = !options.optimizer;
  const optimizer = options.optimizer ?? new Adam(model.parameters(), { lr: options.lr ?? 0.01, weightDecay: options.weightDecay ?? 0 });
  const ctx = new FitState(model, data, optimizer, epochs, metric);
  using compiled = fitCompilation(model, optimizer, {
    compile: options.compile !== false,
    explicit: options.compile === true || typeof options.compile === 'object',
    cudaGraph: cudaGraphWanted(options.compile),
    batches: batches !== null || dp !== null,
    backwardHooks: callbacks.hasBackwardHooks,
  });
  let finished = false;
  training.add(model);
  try {
    await callbacks.fitStart(ctx);
    dp?.shareStart(ctx, epochs);
    await dp?.steps.prepare();
    for (let epoch = ctx.startEpoch + 1; epoch <= epochs; epoch++) {
      options.signal?.throwIfAborted();
      ctx.beginEpoch(epoch);
      const features = callbacks.stepStart(ctx);
      const lr = optimizer.lr;
      const t0 = performance.now();
      const afterBackward = (loss: Tensor, layers: Tensor[] | null) => callbacks.backward(ctx, { loss, features: layers });
      const trainLoss = dp
        ? await dp.steps.run(epoch, optimizer, features, afterBackward)
        : batches
          ? await batches.run(epoch, optimizer, features, afterBackward)
          : trainStep(model, data, optimizer, features, afterBackward, compiled.train);
      const step = { epoch, trainLoss, stepMs: performance.now() - t0, lr };
      // Partitioned features: every rank evaluates its share (no rank holds all features).
      const shared = dp?.steps.partitioned ? dp.steps : null;
      if (dp && !dp.leader) {
        if (shared) await shared.evaluate(metric);
        if (dp.followEpoch(ctx, step, optimizer)) break;
        continue;
      }
      await callbacks.stepEnd(ctx, step);
      // Yield between the step and the evaluation too: each is a full forward pass, and
      // together they would hold the event loop for twice as long.
      await yieldToEventLoop();
      const metrics = shared
        ? await shared.evaluate(metric)
        : layerwise
          ? await evaluateLayerwise(layerwise.model, data, layerwise.batchSize, metric)
          : evaluate(model, data, compiled.evaluation, metric);
      await callbacks.epochEnd(ctx, ctx.endEpoch(step, metrics));
      dp?.leadEpoch(ctx, optimizer);
      if (ctx.stopReason) break;
      await yieldToEventLoop();
    }
    await callbacks.fitEnd(ctx);
    dp?.shareEnd(model);
    finished = true;
  } catch (e) {
    // The other ranks wait for this one in a collective: end them all rather than hang.
    if (dp) dp.fail(e);
    throw e;
  } finally {
    dp?.dispose();
    training.delete(model);
    try {
      // A teardown error surfaces only when nothing failed before it.
      callbacks.teardown(ctx, finished);
    } finally {
      if (ownOptimizer) optimizer.dispose();
    }
  }
  if (!ctx.best || !ctx.last) throw new FathomError(`fit: no epoch ran and none was restored (epochs ${epochs}, resumed after ${ctx.startEpoch})`, 'IO');
  const result = ctx.result(ctx.best, ctx.last, diagnostics?.records ?? []);
  const compiledSummary = compiled.summary();
  return compiledSummary ? { ...result, compiled: compiledSummary } : result;
}

/** The built-in callbacks the options ask for, in their documented order (see Callback). */
function builtInCallbacks(options: FitOptions): { builtIn: Callback[]; last: Callback[]; diagnostics: DiagnosticsRecording | null } {
  const patience = options.patience ?? 100;
  const restoreBest = options.restoreBest ?? true;
  const c = options.checkpoint;
  const d = options.diagnostics;
  if (d) resolveMetrics('fit', 'diagnostics.metrics', d.metrics);
  const diagnostics = d ? new DiagnosticsRecording(d) : null;
  const finite = options.checkFinite ?? true;
  const scheduler = options.lrSchedule ? new LrScheduler(options.lrSchedule) : null;
  const checkpointing = c
    ? new Checkpointing({ ...c, best: c.best ?? restoreBest, resume: options.resume, stateful: scheduler ? { lrSchedule: scheduler } : undefined })
    : null;
  const builtIn: (Callback | null)[] = [
    diagnostics,
    finite === false ? null : new FiniteCheck(finite === true ? {} : finite),
    scheduler,
    checkpointing,
    options.onEpoch ? new ProgressCallback(options.onEpoch) : null,
    patience > 0 ? new EarlyStopping({ patience }) : null,
  ];
  // The best file: fit's own checkpoints', else that of a Checkpointing among the callbacks.
  const userCheckpointing = options.callbacks?.find((cb): cb is Checkpointing => cb instanceof Checkpointing);
  const bestPath = (checkpointing ?? userCheckpointing)?.dir.bestPath ?? null;
  const last = restoreBest ? [new RestoreBest({ bestPath })] : [];
  return { builtIn: builtIn.filter((cb) => cb !== null), last, diagnostics };
}

/** The model and batch size of layer-wise evaluation when the options ask for it (GraphSAGE, GCN, GAT). */
function layerwiseEvaluation(model: NodeModel, options: FitOptions): { model: LayerwiseModel; batchSize: number } | null {
  const e = options.evaluation;
  if (!e?.layerwise) return null;
  if (!isLayerwiseModel(model)) {
    throw new FathomError(`fit: evaluation.layerwise runs GraphSAGE, GCN and GAT layer by layer; ${model.name} evaluates full-batch only`, 'TYPE');
  }
  return { model, batchSize: e.batchSize! };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
