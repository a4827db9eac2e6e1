import { backward } from '../autograd/backward.js';
import { retainGrad } from '../autograd/retainGrad.js';
import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import { NodeModel } from '../models/NodeModel.js';
import { Adam } from '../optim/Adam.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { Tensor } from '../tensor/Tensor.js';
import { CheckpointDir } from '../checkpoint/CheckpointDir.js';
import { isCheckpointable } from '../checkpoint/checkpointFormat.js';
import { findNonFinite } from '../checkpoint/findNonFinite.js';
import { restoreCheckpoint } from '../checkpoint/restoreCheckpoint.js';
import { saveCheckpoint } from '../checkpoint/saveCheckpoint.js';
import { FathomError } from '../errors/FathomError.js';
import { accuracy } from './accuracy.js';
import { NodeData } from '../data/NodeData.js';
import { requireInstance, requireObject } from '../errors/args.js';
import { DiagnosticsRecorder } from '../diagnostics/DiagnosticsRecorder.js';
import { diagnoseModel } from '../diagnostics/diagnoseModel.js';
import { resolveMetrics, type DiagnosticMetric, type LayerDiagnostics } from '../diagnostics/metrics.js';

/** Per-layer diagnostics of the model after `epoch` epochs (0 = at initialization). */
export interface DiagnosticsRecord {
  epoch: number;
  layers: LayerDiagnostics[];
}

/** What fit() reports after every epoch. */
export interface EpochReport {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  testAcc: number;
  /** Wall time of the training step (forward, backward, optimizer), ms. */
  stepMs: number;
  bestEpoch: number;
  bestValAcc: number;
  /** Diagnostics records completed during this epoch (see FitOptions.diagnostics). */
  diagnostics?: DiagnosticsRecord[];
}

export interface FitOptions {
  /** Maximum number of epochs (default 200). */
  epochs?: number;
  /** Default: Adam with `lr` and `weightDecay`. fit() disposes only the optimizer it created. */
  optimizer?: Optimizer;
  lr?: number;
  weightDecay?: number;
  /** Stop after this many epochs without a better validation accuracy; 0 disables (default 100). */
  patience?: number;
  /** Aborts between epochs: fit() rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after every epoch; returning false stops training. */
  onEpoch?: (report: EpochReport) => void | boolean | Promise<void | boolean>;
  /**
   * Save a checkpoint (model, optimizer, dropout stream, epoch, best and last report) to
   * `dir` every `every` epochs (default 1), keeping the newest `keep` (default 2), and
   * `best.safetensors` at every new best validation accuracy when `best` is set. Needs a
   * model with config() (GCN).
   */
  checkpoint?: { dir: string; every?: number; keep?: number; best?: boolean };
  /** Continue from the newest valid checkpoint in `checkpoint.dir` (a fresh start if none). */
  resume?: boolean;
  /**
   * Every `every` steps, check the loss and every parameter for NaN/Inf, and reject with a
   * FathomError 'NUMERIC' naming the parameter and step; checkpoints taken before stay.
   */
  checkFinite?: { every?: number };
  /**
   * Record per-layer diagnostics (docs/methods.md §4) of the model after 0, every, 2·every, …
   * epochs (default every 10; metrics default to all). The record of epoch k is measured on the
   * forward and backward pass of training step k + 1, before its optimizer step: the same pass,
   * dropout included, so a record costs only the reductions, not a pass. The state after the
   * last epoch gets one extra pass (training mode, the dropout stream restored after it).
   * relativeChange is against the weights fit() started from (after a resume, the restored
   * ones). Needs a model with
   * forwardFeatures() (GCN, ResGCN, GAT, SKP, LinearGNN).
   */
  diagnostics?: { every?: number; metrics?: readonly DiagnosticMetric[] };
}

export interface FitResult {
  epochsRun: number;
  bestEpoch: number;
  /** Metrics at the best-validation epoch (test accuracy there, as the Planetoid protocol reports). */
  best: EpochReport;
  last: EpochReport;
  history: EpochReport[];
  stopped: 'epochs' | 'patience' | 'callback';
  /** The epoch training resumed after (0 for a fresh run). */
  resumedFrom: number;
  /** The diagnostics records, by epoch (empty without the diagnostics option). */
  diagnostics: DiagnosticsRecord[];
}

/**
 * Full-batch node-classification training with masks, accuracy, early stopping on
 * validation accuracy, progress callbacks and cancellation. Yields to the event loop after
 * every epoch, so a run never blocks it for longer than one step.
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
  const patience = options.patience ?? 100;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`fit: patience must be a non-negative integer, got ${patience}`);
  if (data.numClasses < 1) throw new RangeError('fit: the data has no classes');
  const ownOptimizer = !options.optimizer;
  const optimizer = options.optimizer ?? new Adam(model.parameters(), { lr: options.lr ?? 0.01, weightDecay: options.weightDecay ?? 0 });
  const history: EpochReport[] = [];
  let best: EpochReport | undefined;
  let last: EpochReport | undefined;
  let stopped: FitResult['stopped'] = 'epochs';
  let start = 1;
  const records: DiagnosticsRecord[] = [];
  let recorder: DiagnosticsRecorder | null = null;
  try {
    const ckpt = checkpointSetup(model, options);
    const finiteEvery = positive('checkFinite.every', options.checkFinite?.every ?? 1);
    requireObject('fit', 'options.diagnostics', options.diagnostics, true);
    const diagEvery = positive('diagnostics.every', options.diagnostics?.every ?? 10);
    if (ckpt && options.resume) {
      ckpt.dir.removeTemporaries();
      const path = ckpt.dir.latest();
      if (path) {
        const info = restoreCheckpoint(path, { model: ckpt.model, optimizer });
        best = info.metrics.best as EpochReport | undefined;
        last = info.metrics.last as EpochReport | undefined;
        start = info.epoch + 1;
      }
    }
    if (options.diagnostics) {
      if (!model.hasLayerFeatures) throw new TypeError(`fit: diagnostics need a model with per-layer features (forwardFeatures); '${model.name}' has none`);
      resolveMetrics('fit', 'diagnostics.metrics', options.diagnostics.metrics);
      recorder = new DiagnosticsRecorder(model, data, { metrics: options.diagnostics.metrics });
    }
    for (let epoch = start; epoch <= epochs; epoch++) {
      options.signal?.throwIfAborted();
      const checking = options.checkFinite !== undefined && epoch % finiteEvery === 0;
      // Checked before the step as well: a parameter gone bad since the last step (an
      // outside write, a corrupted restore) is then named alone, before one more step
      // spreads the NaN to every other parameter through the gradients.
      if (checking) checkFinite(model, 0, epoch, 'before');
      const t0 = performance.now();
      model.train();
      const completed: DiagnosticsRecord[] = [];
      const measuring = recorder !== null && (epoch - 1) % diagEvery === 0 ? recorder : null;
      const trainLoss = tidy(() => {
        let logits: Tensor;
        let features: Tensor[] | null = null;
        if (measuring) {
          ({ logits, features } = model.forwardFeatures(data.features, data.graph));
          for (const f of features) retainGrad(f);
        } else {
          logits = model.forward(data.features, data.graph);
        }
        const loss = nllLoss(logSoftmax(logits), data.y, data.trainMask);
        backward(loss);
        if (measuring && features) completed.push({ epoch: epoch - 1, layers: measuring.measure(features) });
        optimizer.step();
        optimizer.zeroGrad();
        return loss.item();
      });
      const stepMs = performance.now() - t0;
      if (checking) checkFinite(model, trainLoss, epoch, 'after');
      // Yield between the step and the evaluation too: each is a full forward pass, and
      // together they would hold the event loop for twice as long.
      await yieldToEventLoop();
      const metrics = evaluate(model, data);
      const improved = !best || metrics.valAcc > best.valAcc;
      if (improved) best = { epoch, trainLoss, stepMs, ...metrics, bestEpoch: epoch, bestValAcc: metrics.valAcc };
      // The state after the last scheduled epoch has no next step to measure it on.
      if (recorder && epoch === epochs && epoch % diagEvery === 0) completed.push(finalRecord(model, data, recorder, epoch));
      records.push(...completed);
      const report: EpochReport = { epoch, trainLoss, stepMs, ...metrics, bestEpoch: best!.epoch, bestValAcc: best!.valAcc };
      if (completed.length) report.diagnostics = completed;
      history.push(report);
      last = report;
      if (ckpt) {
        const contents = { model: ckpt.model, optimizer, epoch, metrics: { best, last } };
        // Saved after evaluate(): it draws from the model's dropout stream too, and the
        // stream's state must be the one the next epoch starts from.
        if (epoch % ckpt.every === 0) {
          saveCheckpoint(ckpt.dir.pathFor(epoch), contents);
          ckpt.dir.prune();
        }
        if (ckpt.best && improved) saveCheckpoint(ckpt.dir.bestPath, contents);
      }
      if ((await options.onEpoch?.(report)) === false) {
        stopped = 'callback';
        break;
      }
      if (patience > 0 && epoch - best!.epoch >= patience) {
        stopped = 'patience';
        break;
      }
      await yieldToEventLoop();
    }
    const lastEpoch = last?.epoch ?? 0;
    if (recorder && lastEpoch < epochs && lastEpoch % diagEvery === 0 && history.length) records.push(finalRecord(model, data, recorder, lastEpoch));
  } finally {
    if (ownOptimizer) optimizer.dispose();
    recorder?.dispose();
  }
  // A resume from a checkpoint of the last epoch (a run killed just after finishing) runs
  // no epoch and reports the saved best and last epochs.
  if (!best || !last) throw new FathomError(`fit: the checkpoint in ${options.checkpoint?.dir} has no epoch reports`, 'IO');
  return { epochsRun: history.length, bestEpoch: best.epoch, best, last, history, stopped, resumedFrom: start - 1, diagnostics: records };
}

function finalRecord(model: NodeModel, data: NodeData, recorder: DiagnosticsRecorder, epoch: number): DiagnosticsRecord {
  return { epoch, layers: diagnoseModel(model, data, { recorder, training: true }) };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`fit: ${name} must be a positive integer, got ${v}`);
  return v;
}

function checkpointSetup(model: NodeModel, options: FitOptions) {
  const c = options.checkpoint;
  if (!c) {
    if (options.resume) throw new RangeError('fit: resume needs checkpoint.dir');
    return null;
  }
  if (!isCheckpointable(model)) throw new TypeError(`fit: checkpoints need a model whose config() records its architecture; '${(model as NodeModel).name}' does not`);
  const dir = new CheckpointDir(c.dir, c.keep ?? 2);
  dir.ensure();
  return { model, dir, every: positive('checkpoint.every', c.every ?? 1), best: c.best ?? false };
}

function checkFinite(model: NodeModel, loss: number, epoch: number, when: 'before' | 'after'): void {
  // The loss first: it came from the parameters before this step, so a bad loss with good
  // parameters points at the forward pass of step `epoch`.
  if (!Number.isFinite(loss)) throw new FathomError(`fit: the training loss is ${loss} at step ${epoch}; training stopped`, 'NUMERIC');
  const bad = findNonFinite(model);
  if (bad) {
    throw new FathomError(`fit: parameter '${bad.name}' holds ${bad.value} (element ${bad.index}) ${when} step ${epoch}; training stopped`, 'NUMERIC');
  }
}

/** Accuracy on every split and the validation loss, without dropout or gradients. */
export function evaluate(model: NodeModel, data: NodeData): { trainAcc: number; valAcc: number; testAcc: number; valLoss: number } {
  requireInstance('evaluate', 'model', model, NodeModel, 'a NodeModel');
  requireInstance('evaluate', 'data', data, NodeData, 'NodeData');
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        const logp = logSoftmax(model.forward(data.features, data.graph));
        const valLoss = nllLoss(logp, data.y, data.valMask).item();
        const pred = new Tensor(native().argmaxRows(logp.handle('evaluate'))).toArray() as Int32Array;
        return {
          trainAcc: accuracy(pred, data.labels, data.masks.train),
          valAcc: accuracy(pred, data.labels, data.masks.val),
          testAcc: accuracy(pred, data.labels, data.masks.test),
          valLoss,
        };
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}
