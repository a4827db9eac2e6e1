import { Rng } from '../random/rng.js';
import { buildMeta } from './buildMeta.js';
import { DatasetError } from './datasetError.js';
import type { RawGraph } from './formats/RawGraph.js';
import { checkBudget, type LoadLimits } from './io/limits.js';
import type { Steps } from './io/steps.js';
import { DEFAULT_RANDOM_FEATURE_WIDTH, DEFAULT_RANDOM_SPLIT, type LoadDatasetOptions } from './loadOptions.js';
import type { LoadReport } from './loadReport.js';
import { normalizeFeatures as rowNormalize } from './normalizeFeatures.js';
import { randomSplit } from './randomSplit.js';
import { coalesce } from './transforms/coalesce.js';
import { inspectGraph } from './transforms/inspectGraph.js';
import { removeSelfLoops } from './transforms/removeSelfLoops.js';
import { toUndirected } from './transforms/toUndirected.js';
import type { Dataset } from './types.js';

/**
 * Turns what a format reader found into a {@link Dataset}, the same way for every format:
 * random features when there are none, inspection of the graph as read, the transforms asked
 * for (self loops removed, then made undirected, then coalesced), masks (from the input or a
 * seeded random split), and the checks no format may skip: `num_classes` no larger than the
 * labels present, a non-empty train and validation split.
 *
 * @example
 * return yield* finishGraph(yield* readNpz(path, options, limits), options, limits, seed);
 */
export function* finishGraph(raw: RawGraph, o: LoadDatasetOptions, limits: LoadLimits, featureSeed: number): Steps<Dataset> {
  const n = raw.numNodes;
  const label = raw.files.meta ?? raw.source;
  let x = raw.x;
  let numFeatures = raw.numFeatures;
  const none = o.features === 'none';
  if (none) {
    if (numFeatures < 1) {
      throw new RangeError(
        `loadDataset: features 'none' leaves the features on disk but needs their width: ${label} names no feature file (a folder's meta.json, or a .npy featuresFile)`,
      );
    }
    x = new Float32Array(0);
  } else if (x === null) {
    numFeatures = numFeatures > 0 ? numFeatures : (o.randomFeatureWidth ?? DEFAULT_RANDOM_FEATURE_WIDTH);
    checkBudget(label, { 'random features (num_nodes x width x 4)': n * numFeatures * 4 }, limits);
    x = new Rng(featureSeed).fillNormal(new Float32Array(n * numFeatures));
  }
  const featureSource = none ? 'none' : (raw.featureSource ?? (raw.x === null ? 'random' : 'file'));

  const y = raw.y ?? new Int32Array(n);
  let maxLabel = -1;
  for (let i = 0; i < y.length; i++) if (y[i]! > maxLabel) maxLabel = y[i]!;
  const present = Math.max(1, maxLabel + 1);
  // A class no node has costs a column of every weight and score matrix: a few trailing ones are
  // harmless (a label set with a rare class missing), more classes than nodes is a broken declaration.
  const notes = [...raw.notes];
  if (raw.declaredClasses !== undefined && raw.declaredClasses > Math.max(present, n)) {
    throw new DatasetError(
      'EDATA',
      `loadDataset: ${label} declares num_classes = ${raw.declaredClasses} for ${n} nodes, but the labels${raw.files.y ? ` in ${raw.files.y}` : ''} only go up to ${maxLabel}; ` +
        `num_classes must be at most ${Math.max(present, n)} and should be ${present}`,
    );
  }
  if (raw.declaredClasses !== undefined && raw.declaredClasses > present)
    notes.push(`${raw.declaredClasses - present} declared classes above the largest label`);
  if (raw.declaredClasses === undefined && present > n) {
    const at = y.indexOf(maxLabel);
    throw new DatasetError(
      'EDATA',
      `loadDataset: ${raw.files.y ?? label}: node ${at} has label ${maxLabel}, which makes ${present} classes for ${n} nodes; ` +
        'number the classes 0..C-1 (or give them as names)',
    );
  }
  const numClasses = raw.declaredClasses ?? present;
  checkBudget(label, { 'class scores (num_nodes x num_classes x 4)': 4 * n * numClasses }, limits);

  const found = inspectGraph(raw.edgeIndex, n, featureSource === 'file' ? x : null, numFeatures);
  yield;
  const applied: string[] = [];
  let edgeIndex = raw.edgeIndex;
  const apply = (name: string, f: (e: Int32Array) => Int32Array): void => {
    const before = edgeIndex.length / 2;
    edgeIndex = f(edgeIndex);
    const delta = edgeIndex.length / 2 - before;
    applied.push(`${name} (${delta >= 0 ? '+' : ''}${delta} edges)`);
  };
  if (o.removeSelfLoops) apply('removeSelfLoops', removeSelfLoops);
  yield;
  if (o.undirected) apply('toUndirected', (e) => toUndirected(e, n));
  if (o.coalesce && !o.undirected) apply('coalesce', (e) => coalesce(e, n));
  yield;

  let masks = raw.masks;
  let split = raw.splitSource ?? 'from the input';
  if (o.randomSplit !== undefined || masks === null) {
    const drawn = randomSplit(o.randomSplit ?? DEFAULT_RANDOM_SPLIT, y, numClasses);
    masks = drawn;
    split = drawn.description;
  }
  const count = (m: Uint8Array): number => m.reduce((a, v) => a + v, 0);
  const sizes = { train: count(masks.train), val: count(masks.val), test: count(masks.test) };
  for (const which of ['train', 'val'] as const) {
    if (sizes[which] === 0) {
      throw new DatasetError(
        'EDATA',
        `loadDataset: ${label}: the ${which === 'train' ? 'train' : 'validation'} mask of split ${raw.split} (${split}) selects no node; ` +
          'training needs a non-empty train and validation split',
      );
    }
  }
  if (o.normalizeFeatures === true && !none) rowNormalize(x, n, numFeatures);

  const graph = {
    name: raw.name,
    numNodes: n,
    numEdges: edgeIndex.length / 2,
    numFeatures,
    numClasses,
    edgeIndex,
    x,
    y,
    trainMask: masks.train,
    valMask: masks.val,
    testMask: masks.test,
  };
  const report: LoadReport = {
    format: raw.format,
    source: raw.source,
    numNodes: n,
    numEdges: graph.numEdges,
    numFeatures,
    numClasses,
    features: featureSource,
    labels: raw.y === null ? 'none' : 'file',
    found,
    applied,
    split,
    splitSizes: sizes,
    notes,
  };
  const unchanged = applied.length === 0 && o.randomSplit === undefined && raw.meta !== null && graph.numFeatures === raw.meta.num_features;
  return {
    ...graph,
    meta: unchanged ? raw.meta! : buildMeta({ ...graph, x: featureSource === 'file' ? x : null }, { source_format: raw.format }),
    featuresAvailable: raw.featuresAvailable ?? featureSource === 'file',
    featureSource,
    split: raw.split,
    numSplits: raw.numSplits,
    directory: raw.directory,
    format: raw.format,
    report,
    nodeIds: raw.nodeIds,
    nodeIndex: raw.nodeIds === null ? null : new Map(raw.nodeIds.map((id, i) => [id, i])),
    classNames: raw.classNames,
  };
}
