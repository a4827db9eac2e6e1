import { basename } from 'node:path';
import { requireObject } from '../errors/args.js';
import { finishGraph } from './finishGraph.js';
import { detectFormat } from './formats/detectFormat.js';
import type { RawGraph } from './formats/RawGraph.js';
import { readEdgeList } from './formats/readEdgeList.js';
import { assembleNodeFiles } from './formats/assembleNodeFiles.js';
import { readFolder } from './formats/readFolder.js';
import { readNpyEdges } from './formats/readNpyEdges.js';
import { readNpz } from './formats/readNpz.js';
import { readOgb } from './formats/readOgb.js';
import { resolveLimits } from './io/limits.js';
import { runSync, type Steps } from './io/steps.js';
import type { LoadDatasetOptions } from './loadOptions.js';
import { resolveDataset } from './resolveDataset.js';
import type { Dataset } from './types.js';

export type { LoadDatasetOptions } from './loadOptions.js';

/** Seed of the random features used when a dataset ships none (PubMed). */
export const RANDOM_FEATURE_SEED = 42;

/**
 * Loads a node-classification graph: a bundled dataset by name (`'cora'`, `'pubmed'`,
 * `'chameleon'`, ...; see `listDatasets()`), a folder in the same format, an OGB
 * node-property folder as downloaded (`raw/`, `split/`), an edge list (CSV/TSV, with
 * `featuresFile`, `labelsFile` and mask files), a `.npy` edge index or a `.npz` (PyG-style
 * arrays or a SciPy sparse adjacency). The format is detected from the content; see
 * docs/datasets.md.
 *
 * Every loader reports what it found (`report`: self loops, duplicate edges, asymmetric
 * pairs, isolated nodes, all-zero feature rows) and applies the transforms asked for
 * (`removeSelfLoops`, `undirected`, `coalesce`, as PyG's). Inputs without masks get a seeded
 * random split, named in `report.split`.
 *
 * **Inputs without features get RANDOM features** (PubMed, a bare edge list): i.i.d. N(0, 1)
 * values from a fixed seed ({@link RANDOM_FEATURE_SEED}, override with `featureSeed`). They
 * carry no information about the labels; `featureSource` is `'random'` whenever this happened.
 *
 * Loading is bounded: only regular files are read (FIFOs, devices and symlinks leaving the
 * dataset folder are refused), declared sizes are checked against a memory budget (`maxBytes`,
 * default half the machine's memory) before allocating, decompression stops at the declared
 * size, and meta.json has size and depth limits.
 *
 * @throws RangeError for an unknown name (the message lists the available ones) or a bad option.
 * @throws DatasetError with `code` `ENOENT`, `EMETA`, `EGZIP`, `ESIZE`, `ECHECKSUM`, `EDATA`, `EFORMAT`, `EFILE` or `ELIMIT`.
 * @example
 * ```ts
 * const cora = loadDataset('cora', { normalizeFeatures: true });
 * const mine = loadDataset('edges.csv', { featuresFile: 'x.npy', labelsFile: 'y.csv', undirected: true });
 * console.log(mine.report.found.asymmetricPairs, mine.report.split);
 * const arxiv = loadDataset('./ogbn_arxiv', { undirected: true });
 * ```
 */
export function loadDataset(nameOrPath: string, options: LoadDatasetOptions = {}): Dataset {
  requireObject('loadDataset', 'options', options);
  return runSync(loadSteps(nameOrPath, options));
}

/**
 * The loader as reader steps, shared by {@link loadDataset} (driven on the calling thread) and
 * `loadDatasetAsync` (driven with event-loop yields and an AbortSignal).
 */
export function* loadSteps(nameOrPath: string, options: LoadDatasetOptions): Steps<Dataset> {
  const split = options.split ?? 0;
  const mode = options.features ?? 'auto';
  const seed = options.featureSeed ?? RANDOM_FEATURE_SEED;
  if (!Number.isSafeInteger(split) || split < 0) {
    throw new RangeError(`loadDataset: split must be a non-negative integer, got ${split}`);
  }
  if (mode !== 'auto' && mode !== 'random' && mode !== 'file' && mode !== 'none') {
    throw new RangeError(`loadDataset: features must be 'auto', 'random', 'file' or 'none', got ${JSON.stringify(mode)}`);
  }
  if (!Number.isFinite(seed)) throw new RangeError(`loadDataset: featureSeed must be a finite number, got ${seed}`);
  const base = options.indexBase;
  if (base !== undefined && base !== 0 && base !== 1 && base !== 'auto') {
    throw new RangeError(`loadDataset: indexBase must be 0, 1 or 'auto', got ${JSON.stringify(base)}`);
  }
  const width = options.randomFeatureWidth;
  if (width !== undefined && (!Number.isSafeInteger(width) || width < 1)) {
    throw new RangeError(`loadDataset: randomFeatureWidth must be a positive integer, got ${width}`);
  }
  const limits = resolveLimits(options.maxBytes);

  const where = resolveDataset(nameOrPath);
  const path = where.file ?? where.directory;
  const format = detectFormat(path, where.file !== undefined, where.file ? basename(path) : where.name);
  let raw: RawGraph;
  switch (format) {
    case 'folder':
      raw = yield* readFolder(where, options, limits, seed);
      break;
    case 'ogb':
      raw = yield* readOgb(where.directory, options, limits);
      break;
    case 'npy':
      raw = yield* readNpyEdges(path, options, limits);
      break;
    case 'npz':
    case 'npz-csr':
      raw = yield* readNpz(path, options, limits);
      break;
    default: {
      const e = yield* readEdgeList(path, options, limits);
      raw = yield* assembleNodeFiles({ format: 'edge-list', path, ...e }, options, limits);
    }
  }
  if (format !== 'folder' && mode === 'random') raw.x = null;
  if (format !== 'folder' && mode === 'file' && raw.x === null) {
    throw new RangeError(`loadDataset: ${basename(path)} has no features (pass featuresFile, or use features: 'auto' for seeded random features)`);
  }
  return yield* finishGraph(raw, options, limits, seed);
}
