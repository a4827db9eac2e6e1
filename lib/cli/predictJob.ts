import { loadCheckpoint } from '../checkpoint/loadCheckpoint.js';
import { loadDatasetAsync } from '../data/loadDatasetAsync.js';
import { DATASET_FLAG_KEYS, type DatasetFlags, loadOptionsOf } from './datasetOptions.js';
import { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import type { Predictions } from '../models/predict.js';

/** The node sets `fathom predict --nodes` takes. */
export const PREDICT_SPLITS = ['test', 'val', 'train', 'all'] as const;
export type PredictSplit = (typeof PREDICT_SPLITS)[number];

export interface PredictJobOptions extends Omit<DatasetFlags, 'normalizeFeatures'> {
  /** A checkpoint file (`best.safetensors` of `fathom train --checkpoint-dir`, or any other). */
  checkpoint: string;
  dataset: string;
  nodes: PredictSplit;
  /**
   * Row-normalize the features. The checkpoint's run config records what training did and wins;
   * this is needed only for a checkpoint that records nothing, and must agree with the record.
   */
  normalizeFeatures?: boolean;
}

export interface PredictJobResult {
  dataset: string;
  model: string;
  /** The epoch the checkpoint was taken after. */
  epoch: number;
  split: PredictSplit;
  normalizeFeatures: boolean;
  predictions: Predictions;
  /** Accuracy on the chosen nodes that have a label in [0, C); null when none has. */
  accuracy: number | null;
}

/**
 * Loads a checkpoint and a dataset prepared as training prepared it (the feature normalization
 * recorded in the checkpoint's run config), and predicts the class of every node of a split:
 * what `fathom predict` runs. `log` gets status lines while a large input is read; `signal` stops the load.
 *
 * @example
 * const r = await runPredictJob({ checkpoint: 'runs/cora/best.safetensors', dataset: 'cora', nodes: 'test' });
 * console.log(r.accuracy);
 */
export async function runPredictJob(o: PredictJobOptions, hooks: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<PredictJobResult> {
  const ckpt = loadCheckpoint(o.checkpoint);
  ckpt.optimizer?.dispose();
  using model = ckpt.model;
  const normalizeFeatures = featureNormalization(o, ckpt.config);
  const ds = await loadDatasetAsync(o.dataset, {
    ...loadOptionsOf(datasetFlags(o, ckpt.config)),
    normalizeFeatures,
    onProgress: hooks.log,
    signal: hooks.signal,
  });
  const config = model.config() as { inChannels?: number; outChannels?: number };
  if (config.inChannels !== undefined && config.inChannels !== ds.numFeatures) {
    throw new FathomError(`predict: dataset ${ds.name} has ${ds.numFeatures} features but the model in ${o.checkpoint} takes ${config.inChannels}`, 'SHAPE');
  }
  if (config.outChannels !== undefined && config.outChannels !== ds.numClasses) {
    throw new FathomError(`predict: dataset ${ds.name} has ${ds.numClasses} classes but the model in ${o.checkpoint} predicts ${config.outChannels}`, 'SHAPE');
  }
  using data = NodeData.from(ds, { device: model.parameters()[0]!.device });
  const predictions = model.predict(data.features, data.graph, { nodes: o.nodes === 'all' ? undefined : data.masks[o.nodes] });
  let hits = 0;
  let total = 0;
  predictions.nodes.forEach((node, i) => {
    const label = data.labels[node]!;
    if (label < 0 || label >= predictions.numClasses) return;
    total++;
    if (predictions.classes[i] === label) hits++;
  });
  return { dataset: ds.name, model: model.name, epoch: ckpt.epoch, split: o.nodes, normalizeFeatures, predictions, accuracy: total ? hits / total : null };
}

function featureNormalization(o: PredictJobOptions, config: Record<string, unknown>): boolean {
  const recorded = config.normalizeFeatures;
  if (typeof recorded === 'boolean') {
    if (o.normalizeFeatures !== undefined && o.normalizeFeatures !== recorded) {
      const flag = (v: boolean) => (v ? '--normalize-features' : '--no-normalize-features');
      throw new FathomError(`predict: ${flag(o.normalizeFeatures)} contradicts ${o.checkpoint}, trained with ${flag(recorded)}`, 'RANGE');
    }
    return recorded;
  }
  if (o.normalizeFeatures === undefined) {
    throw new FathomError(
      `predict: ${o.checkpoint} does not record how training prepared the features; pass --normalize-features or --no-normalize-features as training did`,
      'RANGE',
    );
  }
  return o.normalizeFeatures;
}

/**
 * How to read the dataset: the flags training recorded in the checkpoint (an edge list's feature
 * and label files, its split, the transforms), with any flag given here taking precedence.
 */
function datasetFlags(o: PredictJobOptions, config: Record<string, unknown>): DatasetFlags {
  const recorded = typeof config.datasetFlags === 'object' && config.datasetFlags !== null ? (config.datasetFlags as Record<string, unknown>) : {};
  const flags: Record<string, unknown> = {};
  for (const key of DATASET_FLAG_KEYS) {
    const given = (o as unknown as Record<string, unknown>)[key];
    if (given !== undefined) flags[key] = given;
    else if (Object.hasOwn(recorded, key)) flags[key] = recorded[key];
  }
  return flags as DatasetFlags;
}
