import { join } from 'node:path';
import { DatasetError } from './datasetError.js';
import type { DatasetMeta } from './types.js';

/** The arrays of one dataset, as read from disk (masks still hold every split). */
export interface RawArrays {
  edgeIndex: Int32Array;
  y: Int32Array;
  trainMask: Uint8Array;
  valMask: Uint8Array;
  testMask: Uint8Array;
  x: Float32Array | null;
}

/**
 * Checks array contents that sizes alone cannot catch and that would
 * otherwise turn into out-of-bounds reads in the native kernels or silently
 * wrong training: edge endpoints in `[0, N)`, labels in `[0, C)`, masks 0/1
 * and finite features. O(E + N·F), a few milliseconds for the bundled sets.
 *
 * @throws DatasetError (`EDATA`) naming the file, the first bad position and value, and how many are bad.
 * @example
 * ```ts
 * validateArrays('cora', directory, meta, { edgeIndex, y, trainMask, valMask, testMask, x });
 * ```
 */
export function validateArrays(name: string, directory: string, meta: DatasetMeta, a: RawArrays): void {
  const n = meta.num_nodes;
  const e = meta.num_edges;
  const fail = (key: string, msg: string): DatasetError => {
    const path = join(directory, meta.files[key]?.path ?? key);
    return new DatasetError('EDATA', `loadDataset: ${name}/${meta.files[key]?.path ?? key}: ${msg}`, { path });
  };

  const edges = firstOutside(a.edgeIndex, 0, n);
  if (edges !== undefined) {
    const role = edges.index < e ? 'source' : 'target';
    throw fail(
      'edge_index',
      `${role} of edge ${edges.index % Math.max(e, 1)} is node ${edges.value}, outside [0, ${n}) ` + `(num_nodes = ${n}; ${edges.count} bad entries in all)`,
    );
  }
  const labels = firstOutside(a.y, 0, meta.num_classes);
  if (labels !== undefined) {
    throw fail(
      'y',
      `node ${labels.index} has label ${labels.value}, outside [0, ${meta.num_classes}) ` +
        `(num_classes = ${meta.num_classes}; ${labels.count} bad labels in all)`,
    );
  }
  for (const [key, mask] of [
    ['train_mask', a.trainMask],
    ['val_mask', a.valMask],
    ['test_mask', a.testMask],
  ] as const) {
    const badMask = firstOutside(mask, 0, 2);
    if (badMask !== undefined) {
      throw fail(
        key,
        `entry ${badMask.index} (split ${Math.floor(badMask.index / n)}, node ${badMask.index % n}) is ${badMask.value}; ` +
          `masks must be 0 or 1 (${badMask.count} bad entries in all)`,
      );
    }
  }
  if (a.x !== null) {
    const f = meta.num_features;
    for (let i = 0; i < a.x.length; i++) {
      if (!Number.isFinite(a.x[i]!)) {
        throw fail('x', `feature ${i % f} of node ${Math.floor(i / f)} is ${a.x[i]}; features must be finite`);
      }
    }
  }
}

/** First value outside `[lo, hi)`, with its position and the number of such values. */
function firstOutside(arr: Int32Array | Uint8Array, lo: number, hi: number): { index: number; value: number; count: number } | undefined {
  let index = -1;
  let count = 0;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i]!;
    if (v < lo || v >= hi) {
      if (index < 0) index = i;
      count++;
    }
  }
  return index < 0 ? undefined : { index, value: arr[index]!, count };
}
