/** How train/val/test masks are drawn when the input has none, or when asked to replace them. */
export type RandomSplit =
  /** Shuffled nodes: the first `train`·N train, the next `val`·N validation, the rest test. */
  | { kind: 'fractions'; train: number; val: number; seed?: number }
  /** Planetoid's random split: `perClass` train nodes of each class, then `numVal` and `numTest` nodes of the rest. */
  | { kind: 'planetoid'; perClass: number; numVal: number; numTest: number; seed?: number };

/** The split used when an input has no masks: 60 % train, 20 % validation, 20 % test, seed 0. */
export const DEFAULT_RANDOM_SPLIT: RandomSplit = { kind: 'fractions', train: 0.6, val: 0.2, seed: 0 };

/** Width of the seeded random features given to a graph that comes without any. */
export const DEFAULT_RANDOM_FEATURE_WIDTH = 32;

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
   * `'none'`: the features stay on disk: `x` is empty and `numFeatures` is the file's width (a
   * folder's meta.json, or the header of a `.npy` featuresFile), for ranks that read only their
   * own rows (partitionFeatures with featuresFile).
   */
  features?: 'auto' | 'random' | 'file' | 'none';
  /** Seed of the random features. Default {@link RANDOM_FEATURE_SEED}. */
  featureSeed?: number;
  /** Width of random features for inputs that have none and declare no width. Default 32. */
  randomFeatureWidth?: number;
  /** Check each `.gz` file's sha256 against meta.json. Default `true` for bundled datasets, `false` for folders. */
  verifyChecksums?: boolean;

  /** Node features for an edge list or `.npy` edge index: `.npy` of shape (N, F), or CSV/TSV with one row per node. */
  featuresFile?: string;
  /** Labels: `.npy` of shape (N,), or CSV/TSV with one label per line (node order) or `id,label` lines. */
  labelsFile?: string;
  /** Masks: `.npy` of bools, or CSV/TSV of N 0/1 lines or of node ids. */
  trainMaskFile?: string;
  valMaskFile?: string;
  testMaskFile?: string;
  /** Draw masks at random (replacing any the input has). Inputs without masks use {@link DEFAULT_RANDOM_SPLIT}. */
  randomSplit?: RandomSplit;
  /** Whether integer ids in an edge list start at 0 or 1. Default `'auto'`: 1 when the smallest id is 1. */
  indexBase?: 0 | 1 | 'auto';
  /** Whether text files start with a header line. Default `'auto'`: when the first line is not numbers but the next one is. */
  header?: boolean | 'auto';
  /** Number of nodes of an edge list (default: the largest id + 1, or the rows of the feature or label file). */
  numNodes?: number;
  /** Which folder under `split/` of an OGB dataset to use. Default: the only one, or the first by name. */
  ogbSplit?: string;

  /** Add the reverse of every edge, then coalesce (PyG `ToUndirected`). Default `false`. */
  undirected?: boolean;
  /** Drop edges `(i, i)` (PyG `remove_self_loops`). Default `false`. */
  removeSelfLoops?: boolean;
  /** Sort edges and drop duplicates (PyG `coalesce`). Default `false`. */
  coalesce?: boolean;

  /** Bytes the declared arrays may take. Default: half of `os.totalmem()`. */
  maxBytes?: number;
  /** Called with a short status line while large inputs are read. */
  onProgress?: (message: string) => void;
}
