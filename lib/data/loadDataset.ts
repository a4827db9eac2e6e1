import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './datasetError.js';
import { normalizeFeatures as rowNormalize } from './normalizeFeatures.js';
import { parseMeta } from './parseMeta.js';
import { readArrayFile } from './readArrayFile.js';
import { resolveDataset } from './resolveDataset.js';
import { Rng } from '../random/rng.js';
import type { ArrayFileMeta, Dataset, DType, DTypeArrays } from './types.js';
import { validateArrays } from './validateArrays.js';
import { requireObject } from '../errors/args.js';

/** Seed of the random features used when a dataset ships none (PubMed). */
export const RANDOM_FEATURE_SEED = 42;

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Row-normalize `x` so each row sums to 1 (Planetoid GCN / PyG `NormalizeFeatures`). Default `false`. */
  normalizeFeatures?: boolean;
  /** Which train/val/test split to return masks for (datasets with 10 splits: 0..9). Default `0`. */
  split?: number;
  /**
   * `'auto'` (default): the feature file when there is one, otherwise seeded
   * random features. `'random'`: always seeded random features (the file is
   * not read). `'file'`: the feature file, and an error when there is none.
   */
  features?: 'auto' | 'random' | 'file';
  /** Seed of the random features. Default {@link RANDOM_FEATURE_SEED}. */
  featureSeed?: number;
  /** Check each `.gz` file's sha256 against meta.json. Default `true` for bundled datasets, `false` for folders. */
  verifyChecksums?: boolean;
}

/**
 * Loads a node-classification graph: a bundled dataset by name (`'cora'`,
 * `'citeseer'`, `'pubmed'`, `'chameleon'`, ...; see `listDatasets()`), or
 * any folder in the same format by path (`'./data/my-graph'`; see
 * `datasets/README.md`).
 *
 * **PubMed ships no features.** With `features: 'auto'` (the default) a
 * dataset without `x.f32.gz` gets RANDOM features: i.i.d. Gaussian N(0, 1)
 * values of width `num_features`, from a fixed seed ({@link RANDOM_FEATURE_SEED},
 * override with `featureSeed`), so runs are reproducible. They carry NO
 * information about the labels: accuracy on such a dataset measures what
 * the graph structure alone gives, and is not comparable with published
 * PubMed results. `featureSource` is `'random'` whenever this happened;
 * check it before reporting numbers.
 *
 * Everything read is validated (sizes, checksums for bundled data, index
 * and label ranges, 0/1 masks, finite features). Every failure is an error
 * whose message names the dataset, the file and the numbers involved.
 *
 * @throws RangeError for an unknown name (the message lists the available ones) or a split out of range.
 * @throws DatasetError with `code` `ENOENT`, `EMETA`, `EGZIP`, `ESIZE`, `ECHECKSUM` or `EDATA`.
 * @example
 * ```ts
 * const cora = loadDataset('cora', { normalizeFeatures: true });
 * cora.numNodes;                  // 2708
 * cora.x!.length;                 // 2708 * 1433
 * const cham = loadDataset('chameleon', { split: 3 });
 * const pub = loadDataset('pubmed');
 * if (pub.featureSource === 'random') console.warn('pubmed: random features');
 * ```
 */
export function loadDataset(nameOrPath: string, options: LoadDatasetOptions = {}): Dataset {
  requireObject('loadDataset', 'options', options);
  const split = options.split ?? 0;
  const mode = options.features ?? 'auto';
  const seed = options.featureSeed ?? RANDOM_FEATURE_SEED;
  if (!Number.isSafeInteger(split) || split < 0) {
    throw new RangeError(`loadDataset: split must be a non-negative integer, got ${split}`);
  }
  if (mode !== 'auto' && mode !== 'random' && mode !== 'file') {
    throw new RangeError(`loadDataset: features must be 'auto', 'random' or 'file', got ${JSON.stringify(mode)}`);
  }
  if (!Number.isFinite(seed)) throw new RangeError(`loadDataset: featureSeed must be a finite number, got ${seed}`);

  const { name, directory, bundled } = resolveDataset(nameOrPath);
  const metaPath = join(directory, 'meta.json');
  let metaText: string;
  try {
    metaText = readFileSync(metaPath, 'utf8');
  } catch (err) {
    throw new DatasetError('ENOENT', `loadDataset: ${name}/meta.json is missing (expected at ${metaPath})`, {
      path: metaPath,
      cause: err,
    });
  }
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

  const verifyChecksum = options.verifyChecksums ?? bundled;
  const read = <D extends DType>(key: string, file: ArrayFileMeta): DTypeArrays[D] =>
    readArrayFile<D>({ directory, name, key, file: file as ArrayFileMeta & { dtype: D }, verifyChecksum });
  const f = meta.files;
  const edgeIndex = read<'int32'>('edge_index', f.edge_index);
  const y = read<'int32'>('y', f.y);
  const trainAll = read<'uint8'>('train_mask', f.train_mask);
  const valAll = read<'uint8'>('val_mask', f.val_mask);
  const testAll = read<'uint8'>('test_mask', f.test_mask);
  const fileX = featuresAvailable && mode !== 'random' && f.x !== undefined ? read<'float32'>('x', f.x) : null;
  validateArrays(name, directory, meta, { edgeIndex, y, trainMask: trainAll, valMask: valAll, testMask: testAll, x: fileX });

  const n = meta.num_nodes;
  const row = (mask: Uint8Array): Uint8Array => (numSplits === 1 ? mask : mask.slice(split * n, (split + 1) * n));
  const x = fileX ?? new Rng(seed).fillNormal(new Float32Array(n * meta.num_features));
  if (options.normalizeFeatures === true) rowNormalize(x, n, meta.num_features);

  return {
    name: meta.name ?? name,
    numNodes: n,
    numEdges: meta.num_edges,
    numFeatures: meta.num_features,
    numClasses: meta.num_classes,
    edgeIndex,
    x,
    y,
    trainMask: row(trainAll),
    valMask: row(valAll),
    testMask: row(testAll),
    meta,
    featuresAvailable,
    featureSource: fileX === null ? 'random' : 'file',
    split,
    numSplits,
    directory,
  };
}
