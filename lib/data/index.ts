/**
 * Graph data for Fathom: the bundled benchmark datasets (`datasets/`), any
 * folder in the same format, and seeded synthetic graphs.
 *
 * @example
 * ```ts
 * import { listDatasets, loadDataset, sbmGraph } from './data/index.js';
 * for (const d of listDatasets()) console.log(d.summary);
 * const cora = loadDataset('cora', { normalizeFeatures: true });
 * const big = sbmGraph({ numNodes: 1_000_000, numEdges: 10_000_000, numFeatures: 32, seed: 1 });
 * ```
 */
export { loadDataset, RANDOM_FEATURE_SEED, type LoadDatasetOptions } from './loadDataset.js';
export { listDatasets, type DatasetSummary } from './listDatasets.js';
export { resolveDataset, type ResolvedDataset } from './resolveDataset.js';
export { datasetsDir, DATASETS_DIR_ENV } from './datasetsDir.js';
export { findPackageRoot, PACKAGE_NAME } from '../runtime/packageRoot.js';
export { DatasetError, type DatasetErrorCode } from './datasetError.js';
export { normalizeFeatures } from './normalizeFeatures.js';
export { rmatGraph, type RmatOptions } from './rmatGraph.js';
export { sbmGraph, type SbmOptions } from './sbmGraph.js';
export type { SyntheticOptions } from './syntheticOptions.js';
export { Rng } from '../random/rng.js';
export type {
  ArrayFileMeta,
  Dataset,
  DatasetFiles,
  DatasetMeta,
  DType,
  FeatureSource,
  GraphData,
  SyntheticGraph,
  SyntheticMeta,
} from './types.js';
