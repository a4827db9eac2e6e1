import type { DatasetFormat, DatasetMeta, FeatureSource } from '../types.js';

export type { DatasetFormat } from '../types.js';

/** One-line description of every accepted input, for errors that list them. */
export const ACCEPTED_FORMATS =
  "a bundled name; a folder with meta.json (Fathom's format); an OGB node-property folder (raw/edge.csv.gz, split/<name>/); " +
  'an edge list (.csv, .tsv, .txt, optionally .gz); a .npy edge index of shape (2, E) or (E, 2); ' +
  'a .npz of arrays (edge_index, x, y, train_mask, val_mask, test_mask) or of a SciPy CSR adjacency (data, indices, indptr, shape)';

/** What a format reader hands to `finishGraph`: arrays as found, before transforms, splits and checks. */
export interface RawGraph {
  name: string;
  format: DatasetFormat;
  /** The path that was read, as given. */
  source: string;
  /** Folder of the input (the dataset folder, or the folder holding the file). */
  directory: string;
  numNodes: number;
  /** `[2, E]`: sources then targets. */
  edgeIndex: Int32Array;
  /** `[N, F]`, or null when the input has no features. */
  x: Float32Array | null;
  /** Width of `x`, or of the random features to make when `x` is null (0: use the default width). */
  numFeatures: number;
  featureSource?: FeatureSource;
  featuresAvailable?: boolean;
  y: Int32Array | null;
  /** Classes the input declares (meta.json); otherwise the largest label + 1. */
  declaredClasses?: number;
  masks: { train: Uint8Array; val: Uint8Array; test: Uint8Array } | null;
  /** Where the masks came from, for the report. */
  splitSource?: string;
  split: number;
  numSplits: number;
  /** Original ids by index, for inputs with string (or re-based) ids. */
  nodeIds: string[] | null;
  /** Class names by index, for string labels. */
  classNames: string[] | null;
  /** meta.json of a folder in Fathom's format. */
  meta: DatasetMeta | null;
  /** File names used in messages: which file labels and masks came from. */
  files: { y?: string; meta?: string };
  notes: string[];
}
