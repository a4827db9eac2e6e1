/**
 * Shapes shared by the dataset loader and the synthetic generators.
 *
 * Every graph Fathom trains on is a {@link GraphData}: flat typed arrays in
 * the same layout as the bundled `datasets/` files, so the native core can
 * take them without conversion.
 *
 * @example
 * ```ts
 * import { loadDataset, type GraphData } from './index.js';
 * const g: GraphData = loadDataset('cora');
 * const src = g.edgeIndex.subarray(0, g.numEdges);   // sources
 * const dst = g.edgeIndex.subarray(g.numEdges);      // targets
 * ```
 */

import type { DatasetFormat, LoadReport } from './loadReport.js';

/** Element types that appear in dataset array files. */
export type DType = 'int32' | 'float32' | 'uint8';

/** Typed array class used for each {@link DType}. */
export interface DTypeArrays {
  int32: Int32Array;
  float32: Float32Array;
  uint8: Uint8Array;
}

/** One `files.<key>` entry of `meta.json`. */
export interface ArrayFileMeta {
  /** File name relative to the dataset folder, e.g. `x.f32.gz`. */
  path: string;
  dtype: DType;
  /** C-order shape of the uncompressed array. */
  shape: number[];
  bytes?: number;
  bytes_uncompressed?: number;
  /** sha256 (hex) of the `.gz` file as stored. */
  sha256?: string;
  sha256_uncompressed?: string;
  [key: string]: unknown;
}

/** The array files a dataset folder holds; `x` is absent when features are unavailable (PubMed). */
export interface DatasetFiles {
  edge_index: ArrayFileMeta;
  x?: ArrayFileMeta;
  y: ArrayFileMeta;
  train_mask: ArrayFileMeta;
  val_mask: ArrayFileMeta;
  test_mask: ArrayFileMeta;
  [key: string]: ArrayFileMeta | undefined;
}

/**
 * Parsed `meta.json`. Only the keys the loader relies on are typed; the rest
 * (provenance, statistics, checks) are kept as they are in the file.
 */
export interface DatasetMeta {
  name?: string;
  num_nodes: number;
  /** Directed entries of `edge_index` (each undirected edge counts twice). */
  num_edges: number;
  num_features: number;
  num_classes: number;
  features_available?: boolean;
  num_splits?: number;
  files: DatasetFiles;
  [key: string]: unknown;
}

/** Fields common to loaded and generated graphs. */
export interface GraphData {
  name: string;
  numNodes: number;
  /** Directed edge count E; `edgeIndex.length === 2 * numEdges`. */
  numEdges: number;
  numFeatures: number;
  numClasses: number;
  /** `[2, E]` row-major: sources in `[0, E)`, targets in `[E, 2E)`. */
  edgeIndex: Int32Array;
  /** `[N, F]` row-major node features. */
  x: Float32Array | null;
  /** Class id per node, in `[0, numClasses)`. */
  y: Int32Array;
  /** 0/1 per node. */
  trainMask: Uint8Array;
  valMask: Uint8Array;
  testMask: Uint8Array;
}

/** Where a dataset's `x` came from. */
export type FeatureSource = 'file' | 'random' | 'none';

/** A dataset read from a folder in the bundled format. */
export interface Dataset extends GraphData {
  /** The parsed `meta.json`, unchanged. */
  meta: DatasetMeta;
  /** Whether the folder ships real features (`false` for PubMed). */
  featuresAvailable: boolean;
  /** `'random'` means `x` is seeded Gaussian noise, not real features; `'none'` that `x` is empty (loaded with `features: 'none'`). */
  featureSource: FeatureSource;
  /** Index of the split the masks were taken from. */
  split: number;
  /** Number of train/val/test splits the folder holds. */
  numSplits: number;
  /** Absolute path of the folder the dataset was read from (or of the folder holding the file). */
  directory: string;
  /** Input format that was read. */
  format: DatasetFormat;
  /** What the loader found (self loops, duplicates, asymmetric pairs, isolated nodes, zero rows) and did. */
  report: LoadReport;
  /** Original node ids by index, for inputs with string ids; null when ids are integers (indices, or indices + 1 for 1-based files). */
  nodeIds: string[] | null;
  /** Original id → index, for inputs with string ids; null otherwise. */
  nodeIndex: ReadonlyMap<string, number> | null;
  /** Class names by class index, for string labels; null when labels were integers. */
  classNames: string[] | null;
}

/** Description of how a synthetic graph was generated. */
export interface SyntheticMeta {
  generator: 'rmat' | 'sbm';
  seed: number;
  symmetric: boolean;
  /** All resolved generator parameters, for logging and reproduction. */
  params: Record<string, number | boolean>;
}

/** A graph produced by {@link rmatGraph} or {@link sbmGraph}. */
export interface SyntheticGraph extends GraphData {
  x: Float32Array;
  meta: SyntheticMeta;
}

export type { DatasetFormat } from './loadReport.js';
