/**
 * Graph data for Fathom: the bundled benchmark datasets (`datasets/`), any
 * folder in the same format, users' own graphs (edge lists, `.npy`/`.npz`, OGB folders;
 * docs/datasets.md), PyG-style graph transforms, and seeded synthetic graphs.
 *
 * @example
 * ```ts
 * import { listDatasets, loadDataset, saveDataset, sbmGraph } from './data/index.js';
 * for (const d of listDatasets()) console.log(d.summary);
 * const cora = loadDataset('cora', { normalizeFeatures: true });
 * const mine = loadDataset('edges.csv', { featuresFile: 'x.npy', labelsFile: 'y.csv', undirected: true });
 * saveDataset('./my-graph', mine);
 * const big = sbmGraph({ numNodes: 1_000_000, numEdges: 10_000_000, numFeatures: 32, seed: 1 });
 * ```
 */
export { loadDataset, RANDOM_FEATURE_SEED, type LoadDatasetOptions } from './loadDataset.js';
export { loadDatasetAsync, type LoadDatasetAsyncOptions } from './loadDatasetAsync.js';
export { listDatasets, type DatasetSummary } from './listDatasets.js';
export { resolveDataset, type ResolvedDataset } from './resolveDataset.js';
export { datasetsDir, DATASETS_DIR_ENV } from './datasetsDir.js';
export { findPackageRoot, PACKAGE_NAME } from '../runtime/packageRoot.js';
export { DatasetError, type DatasetErrorCode } from './datasetError.js';
export { normalizeFeatures } from './normalizeFeatures.js';
export { allLabelsSplit } from './allLabelsSplit.js';
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
export { saveDataset, saveDatasetAsync, type SaveDatasetOptions } from './saveDataset.js';
export { formatReport, type LoadReport } from './loadReport.js';
export { DEFAULT_RANDOM_SPLIT, DEFAULT_RANDOM_FEATURE_WIDTH, type RandomSplit } from './loadOptions.js';
export { randomSplit, type SplitMasks } from './randomSplit.js';
export { ACCEPTED_FORMATS, type DatasetFormat } from './formats/RawGraph.js';
export { parseNpy } from './formats/parseNpy.js';
export { readZip } from './formats/readZip.js';
export type { NdArray, NdData } from './formats/NdArray.js';
export { coalesce } from './transforms/coalesce.js';
export { removeSelfLoops } from './transforms/removeSelfLoops.js';
export { toUndirected } from './transforms/toUndirected.js';
export { inspectGraph, type GraphFindings } from './transforms/inspectGraph.js';
export { DEFAULT_MEMORY_SHARE, MAX_JSON_BYTES, MAX_JSON_DEPTH, type LoadLimits } from './io/limits.js';
export { readNpyHeader, readNpyRows, type NpyMatrixHeader, type NpyRows } from './formats/readNpyRows.js';
