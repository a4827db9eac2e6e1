import type { Dataset, FeatureSource } from '../data/types.js';
import type { ModelSpec } from '../models/modelEntry.js';
import { memory } from '../runtime/devices.js';
import { provenance, type Provenance } from '../runtime/provenance.js';
import type { Device } from '../tensor/dtype.js';
import type { FitMetric, FitResult } from '../train/fit.js';
import type { BatchSetting } from './batchOptions.js';

/** The run's setting, as train and diagnose summaries both report it. */
export interface RunSetting {
  dataset: string;
  model: string;
  layers: number;
  hidden: number;
  device: Device;
  seed: number;
  /** 'random' when the dataset ships no features and `x` is seeded noise (PubMed): accuracy then reflects the graph alone. */
  feature_source: FeatureSource;
  /** Fathom's version and commit, device, threads and BLAS (see Provenance). */
  provenance: Provenance;
}

/** The one JSON object `fathom train --json` writes. */
export interface TrainSummary extends RunSetting {
  /** How the training steps were batched: full batch, sampled (--batch-size) or partitions. */
  batches: BatchSetting;
  /** Epochs the model has trained in all: the last epoch reached (a resumed run counts the restored ones). */
  epochs_total: number;
  /** Epochs trained by this invocation (0 when a resumed checkpoint was already at or past --epochs). */
  epochs_run: number;
  /** The checkpoint epoch this invocation resumed from; 0 for a fresh start. */
  resumed_from: number;
  /** The best-validation epoch (counted from the run's start, across resumes). */
  best_epoch: number;
  /** train_loss, train_acc, val_acc and test_acc are taken at the best-validation epoch. */
  train_loss: number;
  train_acc: number;
  val_acc: number;
  test_acc: number;
  /** The validation metric that picked the best epoch (--metric). */
  metric: FitMetric;
  /** ROC-AUC at the best-validation epoch (class 1 positive); null unless metric is 'roc-auc'. */
  train_auc: number | null;
  val_auc: number | null;
  test_auc: number | null;
  /** Training accuracy at the last epoch run, and its maximum over this invocation's epochs. */
  final_train_acc: number;
  max_train_acc: number;
  /** Whether the train and val masks were every labelled node (--fit-all-labels). */
  fit_all_labels: boolean;
  /** Median training-step time of this invocation's epochs, ms; null when it ran none. */
  epoch_ms_median: number | null;
  /**
   * Whether the training step ended compiled (replayed natively), and why not where it did not;
   * null with --no-compile.
   */
  compiled: { train: boolean; evaluation: boolean; train_reason: string | null } | null;
  /** Peak resident set size of the process (host memory, everything included), MB. */
  peak_rss_mb: number;
  /** Peak bytes of live CUDA tensors during the job (memory().cuda.peakBytes), MB; null on CPU. */
  peak_device_mb: number | null;
}

/** The RunSetting of a job: its dataset, resolved model spec and device, with provenance. */
export function runSetting(ds: Pick<Dataset, 'name' | 'featureSource'>, spec: ModelSpec, device: Device): RunSetting {
  return {
    dataset: ds.name,
    model: spec.model,
    layers: spec.layers!,
    hidden: spec.hidden!,
    device,
    seed: spec.seed,
    // Features left on disk were read from their file, rank by rank.
    feature_source: ds.featureSource === 'none' ? 'file' : ds.featureSource,
    provenance: provenance(device),
  };
}

/** The TrainSummary of a finished fit(); peak memory is read now. */
export function trainSummary(setting: RunSetting, result: FitResult, batches: BatchSetting = { kind: 'full' }, fitAllLabels = false): TrainSummary {
  const times = result.history.map((h) => h.stepMs).sort((a, b) => a - b);
  const b = result.best;
  return {
    ...setting,
    batches,
    epochs_total: result.last.epoch,
    epochs_run: result.epochsRun,
    resumed_from: result.resumedFrom,
    best_epoch: result.bestEpoch,
    train_loss: b.trainLoss,
    train_acc: b.trainAcc,
    val_acc: b.valAcc,
    test_acc: b.testAcc,
    metric: b.valAuc === undefined ? 'accuracy' : 'roc-auc',
    train_auc: b.trainAuc ?? null,
    val_auc: b.valAuc ?? null,
    test_auc: b.testAuc ?? null,
    final_train_acc: result.last.trainAcc,
    max_train_acc: result.history.reduce((m, h) => Math.max(m, h.trainAcc), result.last.trainAcc),
    fit_all_labels: fitAllLabels,
    epoch_ms_median: times.length > 0 ? times[Math.floor((times.length - 1) / 2)] : null,
    compiled: result.compiled ? { train: result.compiled.train, evaluation: result.compiled.evaluation, train_reason: result.compiled.trainReason } : null,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    peak_device_mb: setting.device === 'cuda' ? memory().cuda.peakBytes / 2 ** 20 : null,
  };
}
