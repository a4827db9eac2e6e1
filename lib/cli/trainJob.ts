import { DATASET_FLAG_KEYS, type DatasetFlags, datasetFlagsOf, loadCliDataset, logLoadReport } from './datasetOptions.js';
import type { ModelSpec } from '../models/modelEntry.js';
import { buildModel, modelEntry, resolveSpec, validateModelSpec } from '../models/registry.js';
import { resetPeakMemory, resolveDevice } from '../runtime/devices.js';
import type { Device } from '../tensor/dtype.js';
import { buildOptimizer, type OptimizerName } from '../optim/buildOptimizer.js';
import { InvalidArgumentError } from 'commander';

import { initDistributed } from '../distributed/runtime.js';
import type { DistributedFeatures } from '../distributed/DistributedFeatures.js';
import { FEATURE_PARTITION_METHODS, type FeaturePartitionMethod, resolveMethod } from '../distributed/partitionBook.js';
import { readNpyHeader } from '../data/formats/readNpyRows.js';
import { partitionFeatures } from '../distributed/partitionFeatures.js';
import { fit, type EpochReport, type FitMetric } from '../train/fit.js';
import { NodeData } from '../data/NodeData.js';
import { allLabelsSplit } from '../data/allLabelsSplit.js';
import { runSetting, trainSummary, type TrainSummary } from './runSummary.js';
import { SCHEDULE_KEYS, type ScheduleFlags, scheduleFromFlags } from './scheduleOptions.js';
import { BATCH_KEYS, type BatchFlags, batchesFromFlags, batchSetting, checkBatchFlags } from './batchOptions.js';

/** Everything `fathom train` takes: the model (see ModelSpec) and how to train it. */
export interface TrainJobOptions extends ModelSpec, ScheduleFlags, BatchFlags, Omit<DatasetFlags, 'normalizeFeatures'> {
  dataset: string;
  epochs: number;
  /** Default: the model's own (its registry entry's), else 0.01. */
  lr?: number;
  /** Default: the model's own, else 5e-4. */
  weightDecay?: number;
  patience: number;
  /** The validation metric of fit() (FitOptions.metric). */
  metric: FitMetric;
  device: Device | 'auto';
  normalizeFeatures: boolean;
  optimizer: OptimizerName;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  /** Save checkpoints here (every `checkpointEvery` epochs) and resume with `resume`. */
  checkpointDir?: string;
  checkpointEvery?: number;
  resume?: boolean;
  /** Compiled training steps: undefined is fit's default (compiled, quiet about eager steps), true warns when a step runs eagerly, false (--no-compile) runs every step eagerly. */
  compile?: boolean;
  /** Data-parallel over the ranks of an mpirun job (fit's `distributed`); needs full-batch or --batch-size. */
  distributed?: boolean;
  /** With --distributed and --batch-size: split the features across the ranks (partitionFeatures) by this method; true is 'auto'. */
  partitionFeatures?: boolean | FeaturePartitionMethod;
  /** Train, report train_acc and stop early over every labelled node (see allLabelsSplit): a fitting test. */
  fitAllLabels?: boolean;
}

export type { RunSetting, TrainSummary } from './runSummary.js';

/** Unset depth, width, dropout, lr and weight decay take the model's own defaults. */
export type TrainDefaults = Pick<
  TrainJobOptions,
  'model' | 'epochs' | 'patience' | 'metric' | 'seed' | 'device' | 'normalizeFeatures' | 'optimizer' | 'momentum'
>;

export const TRAIN_DEFAULTS: TrainDefaults = {
  model: 'gcn',
  epochs: 200,
  patience: 100,
  metric: 'accuracy',
  seed: 0,
  device: 'auto',
  normalizeFeatures: true,
  optimizer: 'adam',
  momentum: 0,
};

/** Keys of parsed command-line options that are not part of the model's spec. */
const RUN_KEYS = new Set([
  'dataset',
  'epochs',
  'lr',
  'weightDecay',
  'patience',
  'metric',
  'device',
  'normalizeFeatures',
  'optimizer',
  'momentum',
  'checkpointDir',
  'checkpointEvery',
  'resume',
  'distributed',
  'partitionFeatures',
  'fitAllLabels',
  'json',
  'out',
  'metrics',
  ...SCHEDULE_KEYS,
  ...DATASET_FLAG_KEYS,
  ...BATCH_KEYS,
]);

/** The ModelSpec of parsed command-line options (train's and diagnose's alike): every model key, nothing else. */
export function modelSpec(o: ModelSpec): ModelSpec {
  const spec: ModelSpec = { model: o.model, seed: o.seed };
  for (const [k, v] of Object.entries(o)) if (!RUN_KEYS.has(k) && v !== undefined) spec[k] = v;
  return spec;
}

/** The learning rate and weight decay a run uses: given, else the model's own, else 0.01 and 5e-4. */
export function trainingRates(o: { model: string; lr?: number; weightDecay?: number }): { lr: number; weightDecay: number } {
  const d = modelEntry(o.model).defaults ?? {};
  return { lr: o.lr ?? d.lr ?? 0.01, weightDecay: o.weightDecay ?? d.weightDecay ?? 5e-4 };
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
  hooks: { onEpoch?: (r: EpochReport) => void; signal?: AbortSignal; log?: (line: string) => void; onWarning?: (message: string) => void } = {},
): Promise<TrainSummary> {
  // Flag combinations are checked before any data is loaded.
  const spec = resolveSpec(modelSpec(options));
  validateModelSpec(spec);
  checkBatchFlags(options, spec);
  if (options.distributed && options.partitions !== undefined)
    throw new InvalidArgumentError('--distributed splits --batch-size batches or full-batch steps across the ranks; --partitions is not supported with it');
  const featureMethod = featurePartitionFlag(options);
  const lrSchedule = scheduleFromFlags(options);
  const device = resolveDevice(options.device);
  if (options.distributed) initDistributed();
  // Partitioned .npy features stay on disk: each rank reads only its own rows (partitionFeatures).
  const onDisk = featureMethod && options.features?.toLowerCase().endsWith('.npy') ? options.features : undefined;
  if (onDisk && readNpyHeader(onDisk).dtype !== 'float32') {
    throw new InvalidArgumentError(`--partition-features reads ${onDisk} row by row and trains in float32; the file holds float64 (save it as float32)`);
  }
  const loaded = await loadCliDataset(onDisk ? { ...options, featureMode: 'none' } : options, hooks.log, hooks.signal);
  const ds = options.fitAllLabels ? allLabelsSplit(loaded) : loaded;
  if (device === 'cuda') resetPeakMemory();
  using data = NodeData.from(ds, { device, features: !onDisk });
  using model = buildModel(spec, { inChannels: ds.numFeatures, outChannels: ds.numClasses, device });
  using optimizer = buildOptimizer({ ...options, ...trainingRates(options) }, model);
  logLoadReport(ds, hooks.log);
  if (options.fitAllLabels) hooks.log?.(`fitting all labels: loss, train accuracy and early stopping over all ${count(ds.trainMask)} labelled nodes`);
  using batches = batchesFromFlags(options, data, model);
  using features = featureMethod
    ? await partitionFeatures(data, { method: featureMethod, featuresFile: onDisk, normalizeFeatures: onDisk ? options.normalizeFeatures : undefined })
    : null;
  if (features) hooks.log?.(featureReport(features, featureMethod!));
  const result = await fit(model, data, {
    epochs: options.epochs,
    optimizer,
    patience: options.patience,
    metric: options.metric,
    signal: hooks.signal,
    onEpoch: hooks.onEpoch,
    // The run's data preparation goes into every checkpoint: `fathom predict` prepares the
    // dataset the same way from it.
    checkpoint: options.checkpointDir
      ? {
          dir: options.checkpointDir,
          every: options.checkpointEvery ?? 10,
          best: true,
          config: { dataset: options.dataset, normalizeFeatures: options.normalizeFeatures, datasetFlags: datasetFlagsOf(options) },
          onWarning: hooks.onWarning,
        }
      : undefined,
    resume: options.resume ?? false,
    lrSchedule,
    batches,
    compile: options.compile,
    distributed: options.distributed ?? false,
    features: features ?? undefined,
  });
  return trainSummary(runSetting(ds, spec, device), result, batchSetting(options), options.fitAllLabels ?? false);
}

/** `--partition-features [method]`, checked before any data is loaded: needs --distributed and --batch-size. */
function featurePartitionFlag(o: TrainJobOptions): FeaturePartitionMethod | null {
  const flag = o.partitionFeatures;
  if (flag === undefined || flag === false) return null;
  const method = flag === true ? 'auto' : flag;
  if (!FEATURE_PARTITION_METHODS.includes(method)) {
    throw new InvalidArgumentError(`--partition-features takes ${FEATURE_PARTITION_METHODS.join(', ')} (or no value: auto), got '${String(flag)}'`);
  }
  if (!o.distributed) throw new InvalidArgumentError('--partition-features splits the features across the ranks of --distributed; add --distributed');
  if (o.batchSize === undefined) throw new InvalidArgumentError('--partition-features feeds sampled batches; add --batch-size');
  return method;
}

/** Rank 0's line about its share of the partitioned features. */
function featureReport(store: DistributedFeatures, method: FeaturePartitionMethod): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
  const share = store.localNodes.length;
  const whole = share > 0 ? (store.nbytes / share) * store.numNodes : 0;
  // Rank 0 chose the book, so its resolution of 'auto' is the run's.
  const label = method === 'auto' ? `auto: ${resolveMethod('fathom train', method)}` : method;
  return `partitioned features (${label}): rank 0 holds ${share} of ${store.numNodes} rows, ${mib(store.nbytes)} of ${mib(whole)} (partition book ${mib(store.bookBytes)})`;
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (const m of mask) n += m;
  return n;
}
