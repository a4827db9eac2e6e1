import { loadDataset } from '../data/loadDataset.js';
import type { NodeModel } from '../models/NodeModel.js';
import { memory, resetPeakMemory, resolveDevice } from '../runtime/devices.js';
import type { Device } from '../tensor/dtype.js';
import { Adam } from '../optim/Adam.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { SGD } from '../optim/SGD.js';
import { fit, type EpochReport } from '../train/fit.js';
import { NodeData } from '../data/NodeData.js';
import { buildModel, validateModelSpec, type ModelSpec } from './modelFactory.js';

export { MODELS, type ModelName } from './modelFactory.js';

/** Everything `fathom train` takes: the model (see ModelSpec) and how to train it. */
export interface TrainJobOptions extends ModelSpec {
  dataset: string;
  epochs: number;
  lr: number;
  weightDecay: number;
  patience: number;
  device: Device | 'auto';
  normalizeFeatures: boolean;
  optimizer: OptimizerName;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  /** Save checkpoints here (every `checkpointEvery` epochs) and resume with `resume`. */
  checkpointDir?: string;
  checkpointEvery?: number;
  resume?: boolean;
}

export const OPTIMIZERS = ['adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The one JSON object `fathom train --json` writes. */
/** The run's setting, as train and diagnose summaries both report it. */
export interface RunSetting {
  dataset: string;
  model: string;
  layers: number;
  hidden: number;
  device: Device;
  seed: number;
}

export interface TrainSummary extends RunSetting {
  epochs_run: number;
  best_epoch: number;
  /** train_loss, train_acc, val_acc and test_acc are taken at the best-validation epoch. */
  train_loss: number;
  train_acc: number;
  val_acc: number;
  test_acc: number;
  epoch_ms_median: number;
  /** Peak resident set size of the process (host memory, everything included), MB. */
  peak_rss_mb: number;
  /** Peak bytes of live CUDA tensors during the job (memory().cuda.peakBytes), MB; null on CPU. */
  peak_device_mb: number | null;
}

export const TRAIN_DEFAULTS: Omit<TrainJobOptions, 'dataset'> = {
  model: 'gcn', layers: 2, hidden: 64, epochs: 200, lr: 0.01, weightDecay: 5e-4,
  patience: 100, seed: 0, device: 'auto', normalizeFeatures: true, optimizer: 'adam', momentum: 0,
};

/** The optimizer the options name, over the model's parameters. */
export function buildOptimizer(o: Pick<TrainJobOptions, 'optimizer' | 'lr' | 'momentum' | 'weightDecay'>, model: NodeModel): Optimizer {
  if (o.optimizer === 'sgd') return new SGD(model.parameters(), { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay });
  if (o.momentum !== 0) throw new RangeError('--momentum applies to --optimizer sgd only; drop it or pass --optimizer sgd');
  return new Adam(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay });
}

/** The ModelSpec fields of parsed command-line options (train's and diagnose's alike). */
export function modelSpec(o: ModelSpec): ModelSpec {
  const { model, layers, hidden, seed, init, residual, aggT, norm, heads, alpha, beta, skip, checkpointActivations } = o;
  return { model, layers, hidden, seed, init, residual, aggT, norm, heads, alpha, beta, skip, checkpointActivations, dropout: o.dropout };
}

/**
 * Loads a dataset, builds the model and trains it: what `fathom train` runs, callable
 * from code and tests.
 *
 * @example
 * const summary = await runTrainJob({ ...TRAIN_DEFAULTS, dataset: 'cora' });
 */
export async function runTrainJob(
  options: TrainJobOptions,
  hooks: { onEpoch?: (r: EpochReport) => void; signal?: AbortSignal } = {},
): Promise<TrainSummary> {
  // Flag combinations are checked before any data is loaded.
  validateModelSpec(modelSpec(options));
  const device = resolveDevice(options.device);
  const ds = loadDataset(options.dataset, { normalizeFeatures: options.normalizeFeatures });
  if (device === 'cuda') resetPeakMemory();
  using data = NodeData.from(ds, { device });
  using model = buildModel(modelSpec(options), ds.numFeatures, ds.numClasses, device);
  using optimizer = buildOptimizer(options, model);
  const result = await fit(model, data, {
    epochs: options.epochs, optimizer, patience: options.patience, signal: hooks.signal, onEpoch: hooks.onEpoch,
    checkpoint: options.checkpointDir ? { dir: options.checkpointDir, every: options.checkpointEvery ?? 10, best: true } : undefined,
    resume: options.resume ?? false,
  });
  const times = result.history.map((h) => h.stepMs).sort((a, b) => a - b);
  const b = result.best;
  return {
    dataset: ds.name, model: options.model, layers: options.layers, hidden: options.hidden, device, seed: options.seed,
    epochs_run: result.epochsRun, best_epoch: result.bestEpoch,
    train_loss: b.trainLoss, train_acc: b.trainAcc, val_acc: b.valAcc, test_acc: b.testAcc,
    epoch_ms_median: times[Math.floor((times.length - 1) / 2)],
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    peak_device_mb: device === 'cuda' ? memory().cuda.peakBytes / 2 ** 20 : null,
  };
}
