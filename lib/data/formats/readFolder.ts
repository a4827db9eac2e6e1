import { join } from 'node:path';
import { Rng } from '../../random/rng.js';
import { DatasetError } from '../datasetError.js';
import { readRegularFile } from '../io/readRegularFile.js';
import { checkBudget, MAX_JSON_BYTES, type LoadLimits } from '../io/limits.js';
import type { LoadDatasetOptions } from '../loadOptions.js';
import { parseMeta } from '../parseMeta.js';
import { readArrayFile } from '../readArrayFile.js';
import type { ArrayFileMeta, DType, DTypeArrays } from '../types.js';
import { validateArrays } from '../validateArrays.js';
import type { RawGraph } from './RawGraph.js';
import type { Steps } from '../io/steps.js';

/**
 * Reads a folder in Fathom's own format (meta.json + gzip'ed little-endian arrays, as in
 * `datasets/`): meta.json within the JSON limits, declared sizes within the memory budget,
 * every file a regular file inside the folder, then the checks of `validateArrays`.
 *
 * @example
 * const raw = runSync(readFolder({ name: 'cora', directory, bundled: true }, options, limits, 42));
 */
export function* readFolder(
  where: { name: string; directory: string; bundled: boolean },
  options: LoadDatasetOptions,
  limits: LoadLimits,
  seed: number,
): Steps<RawGraph> {
  const { name, directory, bundled } = where;
  const split = options.split ?? 0;
  const mode = options.features ?? 'auto';
  const metaPath = join(directory, 'meta.json');
  const metaText = readRegularFile(metaPath, { label: `${name}/meta.json`, root: directory, maxBytes: MAX_JSON_BYTES }).toString('utf8');
  const { meta, numSplits, featuresAvailable } = parseMeta(metaText, name, metaPath);
  if (split >= numSplits) {
    throw new RangeError(
      `loadDataset: split ${split} is out of range for ${name}, which has ${numSplits} split${numSplits === 1 ? '' : 's'} (0..${numSplits - 1})`,
    );
  }
  if (mode === 'file' && !featuresAvailable) {
    throw new DatasetError(
      'ENOENT',
      `loadDataset: ${name} has no feature file (meta.json 'features_available' is false); use features: 'auto' or 'random' for seeded random features`,
      { path: directory },
    );
  }
  const n = meta.num_nodes;
  checkBudget(
    `${name}/meta.json`,
    {
      'edge_index (2 x num_edges x 4)': 8 * meta.num_edges,
      'features (num_nodes x num_features x 4)': 4 * n * meta.num_features,
      'labels (num_nodes x 4)': 4 * n,
      'masks (3 x num_splits x num_nodes)': 3 * numSplits * n,
      'class scores (num_nodes x num_classes x 4)': 4 * n * meta.num_classes,
    },
    limits,
    metaPath,
  );

  const verifyChecksum = options.verifyChecksums ?? bundled;
  const read = <D extends DType>(key: string, file: ArrayFileMeta): Steps<DTypeArrays[D]> =>
    readArrayFile<D>({ directory, name, key, file: file as ArrayFileMeta & { dtype: D }, verifyChecksum, maxBytes: limits.maxBytes });
  const f = meta.files;
  const edgeIndex = yield* read<'int32'>('edge_index', f.edge_index);
  const y = yield* read<'int32'>('y', f.y);
  const trainAll = yield* read<'uint8'>('train_mask', f.train_mask);
  const valAll = yield* read<'uint8'>('val_mask', f.val_mask);
  const testAll = yield* read<'uint8'>('test_mask', f.test_mask);
  const fileX = featuresAvailable && mode !== 'random' && mode !== 'none' && f.x !== undefined ? yield* read<'float32'>('x', f.x) : null;
  validateArrays(name, directory, meta, { edgeIndex, y, trainMask: trainAll, valMask: valAll, testMask: testAll, x: fileX });

  const row = (mask: Uint8Array): Uint8Array => (numSplits === 1 ? mask : mask.slice(split * n, (split + 1) * n));
  // 'none': finishGraph leaves x empty.
  const x = mode === 'none' ? null : (fileX ?? new Rng(seed).fillNormal(new Float32Array(n * meta.num_features)));
  return {
    name: meta.name ?? name,
    format: 'folder',
    source: directory,
    directory,
    numNodes: n,
    edgeIndex,
    x,
    numFeatures: meta.num_features,
    featureSource: mode === 'none' ? 'none' : fileX === null ? 'random' : 'file',
    featuresAvailable,
    y,
    declaredClasses: meta.num_classes,
    masks: { train: row(trainAll), val: row(valAll), test: row(testAll) },
    splitSource: numSplits === 1 ? 'from meta.json' : `from meta.json, split ${split} of ${numSplits}`,
    split,
    numSplits,
    nodeIds: null,
    classNames: classNamesOf(meta.class_names, meta.num_classes),
    meta,
    files: { y: f.y.path, meta: `${name}/meta.json` },
    notes: bundled ? ['bundled'] : [],
  };
}

/** `class_names` of meta.json when it is a list of one string per class (as saveDataset writes it). */
function classNamesOf(v: unknown, numClasses: number): string[] | null {
  return Array.isArray(v) && v.length === numClasses && v.every((c) => typeof c === 'string') ? (v as string[]) : null;
}
