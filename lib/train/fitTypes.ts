import type { DistributedFeatures } from '../distributed/DistributedFeatures.js';
import type { DiagnosticMetric } from '../diagnostics/metrics.js';
import type { LrSchedule } from '../optim/lrSchedules.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { NeighborLoader } from '../sampling/neighborLoader.js';
import type { PartitionLoader } from '../sampling/partitionLoader.js';
import type { Callback, StopReason } from './callbacks/Callback.js';
import type { FitMetric } from './evaluate.js';
import type { CheckpointingOptions } from './callbacks/checkpointingOptions.js';
import type { DiagnosticsRecord, EpochReport } from './epochReport.js';

export type { DiagnosticsRecord, EpochReport } from './epochReport.js';

/**
 * fit()'s `compile` as an object: compiled steps with their settings.
 *
 * @example
 * const result = await fit(model, data, { epochs: 200, compile: { cudaGraph: true } });
 * result.compiled?.cudaGraph; // true where the step was captured, else see cudaGraphReason
 */
export interface CompileOptions {
  /**
   * On CUDA, capture the replayed step as a CUDA Graph and launch that (default false, or
   * `FATHOM_CUDA_GRAPHS=1`): one launch per step instead of one per op. A step that cannot be
   * captured replays plainly, with the reason in `FitResult.compiled.cudaGraphReason`.
   */
  cudaGraph?: boolean;
}

/**
 * fit()'s options. Every key is checked before anything runs: an unknown one (a typo such as
 * `weight_decay`) is a FathomError 'TYPE' with a did-you-mean, a bad value a TypeError or
 * RangeError naming the option.
 */
export interface FitOptions {
  /** Maximum number of epochs (default 200). */
  epochs?: number;
  /** Default: Adam with `lr` and `weightDecay`. fit() disposes only the optimizer it created. */
  optimizer?: Optimizer;
  /** The learning rate of the Adam fit() makes (default 0.01; ignored with `optimizer`). */
  lr?: number;
  /** The L2 weight decay of the Adam fit() makes (default 0; ignored with `optimizer`). */
  weightDecay?: number;
  /** Stop after this many epochs without a better validation accuracy (or ROC-AUC, see `metric`); 0 disables (default 100). See EarlyStopping. */
  patience?: number;
  /**
   * The validation metric that picks the best epoch, and so early stopping, restoreBest and
   * best.safetensors: 'accuracy' (default) or 'roc-auc' for a binary task (class 1 positive,
   * scored by its log-odds; OGB's and the heterophilous benchmark's metric for imbalanced binary
   * labels such as tolokers'). With 'roc-auc' every EpochReport also carries trainAuc, valAuc,
   * testAuc and bestValAuc. A RangeError-like FathomError 'RANGE' for data with other than 2 classes.
   *
   * @example
   * const result = await fit(sage, tolokers, { metric: 'roc-auc', batches: loader });
   * console.log(result.best.testAuc);
   */
  metric?: FitMetric;
  /** Aborts between epochs: fit() rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after every epoch; returning false stops training. See ProgressCallback. */
  onEpoch?: (report: EpochReport) => void | boolean | Promise<void | boolean>;
  /**
   * Save a checkpoint (model, optimizer, dropout stream, epoch, best and last report) to
   * `dir` every `every` epochs (default 1), keeping the newest `keep` (default 2), and
   * `best.safetensors` at every new best validation accuracy when `best` is set. Any model:
   * one without config() is stored as weights and restored into the same instance. The folder
   * is locked while fit() runs; `onWarning` gets the messages (damaged files set aside, stale
   * locks taken over). `best` defaults to `restoreBest` (on), so that a resumed run can restore a
   * best epoch from before the resume; `config` (the run's settings, JSON) is stored in every
   * checkpoint. See Checkpointing.
   */
  checkpoint?: Omit<CheckpointingOptions, 'resume'>;
  /**
   * Continue from the newest valid checkpoint in `checkpoint.dir` (a fresh start if none). A
   * damaged newer one is reported, renamed aside to `*.corrupt` and skipped.
   */
  resume?: boolean;
  /**
   * On by default: after every step, the training loss, and every `every` steps (default 10)
   * every parameter, are checked for NaN/Inf; the first one rejects fit() with a FathomError
   * 'NUMERIC' naming the loss or the parameter and the step; checkpoints taken before stay.
   * `false` turns the check off. See FiniteCheck.
   */
  checkFinite?: boolean | { every?: number };
  /**
   * At the end (default true), leave the model with the weights of the best-validation epoch,
   * the one FitResult.best reports: a copy of the parameters taken at each new best, on the
   * model's device, or, for a best epoch from before a resume, `best.safetensors`. Only the
   * parameters: the dropout stream and the optimizer stay as after the last epoch. `false`
   * keeps the last epoch's weights. When fit() rejects, the model keeps the weights it failed
   * with. See RestoreBest.
   */
  restoreBest?: boolean;
  /**
   * Compile the full-batch training step and the evaluation pass (default true): the first
   * epoch runs eagerly, the next two are traced, and from then on each step is replayed natively
   * in one call, with the same losses and weights bit for bit (CompiledStep). A step the tracer
   * cannot capture (host reads such as MsgNorm's row norms or a custom layer's item(), DropEdge, an optimizer that does not declare its step inputs) runs eagerly with a
   * one-line process warning (code FATHOM_EAGER_STEP); steps that record diagnostics, steps with
   * an onBackward callback and mini-batch steps run eagerly (with a warning only when `compile`
   * was asked for explicitly). `false` runs every step eagerly. `{ cudaGraph: true }` compiles
   * (explicitly) and, on CUDA, captures the replayed training step and evaluation pass as CUDA
   * Graphs (off by default and unverified on a GPU: docs/compiled-steps.md); the environment
   * variable `FATHOM_CUDA_GRAPHS=1` turns it on where `compile` does not say.
   */
  compile?: boolean | CompileOptions;
  /**
   * A learning-rate schedule with PyTorch's formulas, stepped after every epoch (epoch 1 runs at
   * the optimizer's lr): `{ type: 'step', stepSize, gamma? }` (StepLR), `{ type: 'cosine', tMax?,
   * etaMin? }` (CosineAnnealingLR, tMax defaulting to `epochs`), `{ type: 'plateau', factor?,
   * patience?, minLr?, monitor?: 'valLoss' | 'valAcc', threshold?, cooldown? }`
   * (ReduceLROnPlateau). Checkpoints keep its state. See LrScheduler.
   *
   * @example
   * await fit(model, data, { epochs: 300, lr: 0.05, lrSchedule: { type: 'plateau', factor: 0.5, patience: 20 } });
   */
  lrSchedule?: LrSchedule;
  /**
   * Record per-layer diagnostics (docs/methods.md §4) of the model after 0, every, 2·every, …
   * epochs (default every 10; metrics default to all). The record of epoch k is measured on the
   * forward and backward pass of training step k + 1, before its optimizer step: the same pass,
   * dropout included, so a record costs only the reductions, not a pass. The state after the
   * last epoch gets one extra pass (training mode, the dropout stream restored after it).
   * relativeChange is against the weights fit() started from (after a resume, the restored
   * ones). Needs a model with forwardFeatures() (GCN, ResGCN, GAT, SKP, LinearGNN).
   * See DiagnosticsRecording.
   */
  diagnostics?: { every?: number; metrics?: readonly DiagnosticMetric[] };
  /**
   * Train on mini-batches: every epoch runs one optimizer step per batch of the loader and
   * evaluates full-batch as usual. A NeighborLoader's batches are sampled blocks, the loss on
   * their seed nodes (a model that runs on blocks: GraphSAGE); a PartitionLoader's are induced
   * subgraphs of random parts, the loss on their training nodes (any model). trainLoss is the
   * mean over the epoch's loss nodes. Needs no diagnostics. The loader is the caller's to dispose.
   *
   * @example
   * using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [25, 10], batchSize: 512, shuffle: true });
   * await fit(model, data, { epochs: 200, batches: loader });
   * using parts = partitionLoader({ data, numParts: 10, partsPerBatch: 2, shuffle: true });
   * await fit(deepModel, data, { epochs: 200, batches: parts });
   */
  batches?: NeighborLoader | PartitionLoader;
  /**
   * Data-parallel training over the processes of an mpirun job (call initDistributed() first;
   * outside mpirun a world of one, the same as without it). Every step's global batch (a
   * NeighborLoader batch, or without `batches` all training nodes) is split across the ranks,
   * each samples and runs its share, and the gradients are averaged with weights so that they
   * equal the one-process gradient of the global batch's mean loss; every rank takes the same
   * optimizer step. Rank 0 broadcasts its initial (or resumed) state, evaluates, runs `onEpoch`,
   * `callbacks` and checkpoints; the other ranks get its decisions and final weights, and the
   * same FitResult. An error on any rank after the start aborts the whole job (MPI_Abort). Not
   * with a PartitionLoader or diagnostics. See docs/distributed.md.
   *
   * @example
   * initDistributed(); // under: mpirun -np 4 node train.js
   * await fit(sage, data, { distributed: true, batches: loader });
   */
  distributed?: boolean;
  /**
   * Where a distributed run's sampled batches read their input features. 'replicated' (default):
   * every rank's own copy of the data's features. 'partitioned': fit() splits them across the
   * ranks with partitionFeatures(data) (METIS where it loads, else contiguous ranges) and every
   * batch fetches its rows from their owners over MPI; each rank holds about 1/worldSize of the
   * rows, and the run's losses and weights are those of replicated features. Or a
   * DistributedFeatures you made (fit does not dispose it). Needs `distributed` and a
   * NeighborLoader `batches`; rank 0 still evaluates on `data`. See docs/distributed.md.
   *
   * @example
   * await fit(sage, data, { distributed: true, batches: loader, features: 'partitioned' });
   */
  features?: 'replicated' | 'partitioned' | DistributedFeatures;
  /**
   * How every epoch's evaluation runs: full-batch (default), or with `layerwise: true` through
   * layerwiseInference() in blocks of `batchSize` target nodes (GraphSAGE, GCN, GAT), whose memory is
   * one layer of one batch's neighbourhood. The metrics are the same up to f32 rounding; with
   * dropout the later dropout masks differ from a full-batch-evaluated run's (a full forward
   * draws from the model's dropout stream even in eval mode, layer-wise inference does not).
   *
   * @example
   * await fit(sage, data, { batches: loader, evaluation: { layerwise: true, batchSize: 1024 } });
   */
  evaluation?: { layerwise?: boolean; batchSize?: number };
  /**
   * More callbacks, run after the built-in ones that the options above make (see Callback for
   * the order of the hooks).
   */
  callbacks?: readonly Callback[];
}

export interface FitResult {
  epochsRun: number;
  bestEpoch: number;
  /** Metrics at the best-validation epoch (test accuracy there, as the Planetoid protocol reports). */
  best: EpochReport;
  last: EpochReport;
  history: EpochReport[];
  /** 'epochs' when every epoch ran; otherwise the reason of the first stop request. */
  stopped: 'epochs' | StopReason;
  /** The epoch training resumed after (0 for a fresh run). */
  resumedFrom: number;
  /** The diagnostics records, by epoch (empty without the diagnostics option). */
  diagnostics: DiagnosticsRecord[];
  /**
   * With `compile`: whether the training step and the evaluation pass ended compiled, and why
   * not where they did not (null when they did). Absent without `compile`.
   */
  compiled?: {
    train: boolean;
    evaluation: boolean;
    trainReason: string | null;
    evaluationReason: string | null;
    /** Whether the training step ended as a launched CUDA Graph (only with `compile: { cudaGraph: true }`). */
    cudaGraph: boolean;
    /** Why it did not, where graphs were asked for (null when it did or when they were not asked for). */
    cudaGraphReason: string | null;
  };
}
