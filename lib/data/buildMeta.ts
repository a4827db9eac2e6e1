import type { DatasetMeta, GraphData } from './types.js';

/** File names and dtypes of Fathom's folder format, as the bundled datasets use them. */
export const FOLDER_FILES = {
  edge_index: { path: 'edge_index.i32.gz', dtype: 'int32' },
  x: { path: 'x.f32.gz', dtype: 'float32' },
  y: { path: 'y.i32.gz', dtype: 'int32' },
  train_mask: { path: 'train_mask.u8.gz', dtype: 'uint8' },
  val_mask: { path: 'val_mask.u8.gz', dtype: 'uint8' },
  test_mask: { path: 'test_mask.u8.gz', dtype: 'uint8' },
} as const;

/**
 * The `meta.json` of a graph in Fathom's folder format (format_version 1): counts, and for each
 * array file its path, dtype, C-order shape and byte order. `saveDataset` adds sizes and
 * checksums; loaders of other formats attach it to the dataset they return.
 *
 * @example
 * const meta = buildMeta(graph, { source: 'edges.csv' });
 */
export function buildMeta(g: GraphData, extra: Record<string, unknown> = {}): DatasetMeta {
  const n = g.numNodes;
  const shapes: Record<string, number[]> = {
    edge_index: [2, g.numEdges],
    x: [n, g.numFeatures],
    y: [n],
    train_mask: [n],
    val_mask: [n],
    test_mask: [n],
  };
  const files: Record<string, DatasetMeta['files']['y']> = {};
  for (const [key, f] of Object.entries(FOLDER_FILES)) {
    if (key === 'x' && g.x === null) continue;
    files[key] = { path: f.path, dtype: f.dtype, shape: shapes[key]!, order: 'C (row-major)', byte_order: 'little-endian', compression: 'gzip' };
  }
  return {
    name: g.name,
    format_version: 1,
    num_nodes: n,
    num_edges: g.numEdges,
    num_features: g.numFeatures,
    num_classes: g.numClasses,
    features_available: g.x !== null,
    num_splits: 1,
    ...extra,
    files: files as DatasetMeta['files'],
  };
}
