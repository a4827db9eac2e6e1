import { backward } from '../autograd/backward.js';
import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import type { NodeModel } from '../models/NodeModel.js';
import { Adam } from '../optim/Adam.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { Tensor } from '../tensor/Tensor.js';
import { accuracy } from './accuracy.js';
import type { NodeData } from './NodeData.js';

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
}

export interface FitResult {
  epochsRun: number;
  bestEpoch: number;
  /** Metrics at the best-validation epoch (test accuracy there, as the Planetoid protocol reports). */
  best: EpochReport;
  last: EpochReport;
  history: EpochReport[];
  stopped: 'epochs' | 'patience' | 'callback';
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
  const epochs = options.epochs ?? 200;
  const patience = options.patience ?? 100;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`fit: patience must be a non-negative integer, got ${patience}`);
  if (data.numClasses < 1) throw new RangeError('fit: the data has no classes');
  const ownOptimizer = !options.optimizer;
  const optimizer = options.optimizer ?? new Adam(model.parameters(), { lr: options.lr ?? 0.01, weightDecay: options.weightDecay ?? 0 });
  const history: EpochReport[] = [];
  let best: EpochReport | undefined;
  let stopped: FitResult['stopped'] = 'epochs';
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      options.signal?.throwIfAborted();
      const t0 = performance.now();
      model.train();
      const trainLoss = tidy(() => {
        const loss = nllLoss(logSoftmax(model.forward(data.x, data.graph)), data.y, data.trainMask);
        backward(loss);
        optimizer.step();
        optimizer.zeroGrad();
        return loss.item();
      });
      const stepMs = performance.now() - t0;
      const metrics = evaluate(model, data);
      if (!best || metrics.valAcc > best.valAcc) best = { epoch, trainLoss, stepMs, ...metrics, bestEpoch: epoch, bestValAcc: metrics.valAcc };
      const report: EpochReport = { epoch, trainLoss, stepMs, ...metrics, bestEpoch: best.epoch, bestValAcc: best.valAcc };
      history.push(report);
      if ((await options.onEpoch?.(report)) === false) {
        stopped = 'callback';
        break;
      }
      if (patience > 0 && epoch - best.epoch >= patience) {
        stopped = 'patience';
        break;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    if (ownOptimizer) optimizer.dispose();
  }
  const last = history[history.length - 1];
  return { epochsRun: history.length, bestEpoch: best!.epoch, best: best!, last, history, stopped };
}

/** Accuracy on every split and the validation loss, without dropout or gradients. */
export function evaluate(model: NodeModel, data: NodeData): { trainAcc: number; valAcc: number; testAcc: number; valLoss: number } {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        const logp = logSoftmax(model.forward(data.x, data.graph));
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
