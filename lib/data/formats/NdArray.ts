import { DatasetError } from '../datasetError.js';

/** Typed arrays an array file decodes to (int64 is held as float64: node ids and labels fit in 2^53). */
export type NdData = Float32Array | Float64Array | Int32Array | Uint8Array;

/** A decoded `.npy` array, always in C (row-major) order. */
export interface NdArray {
  /** numpy dtype name: float32, float64, int32, int64, uint8, bool. */
  dtype: string;
  shape: number[];
  data: NdData;
}

const fail = (label: string, msg: string): DatasetError => new DatasetError('EFORMAT', `loadDataset: ${label}: ${msg}`);

/**
 * Integer values of an array (edge indices, labels, node ids) as an Int32Array, refusing
 * fractions and values outside int32 by position.
 *
 * @example
 * const y = toInt32(npz.get('y'), 'data.npz/y');
 */
export function toInt32(a: NdArray, label: string): Int32Array {
  if (a.data instanceof Int32Array) return a.data;
  const out = new Int32Array(a.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = a.data[i]!;
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
      throw fail(label, `entry ${i} is ${v}; expected integers within int32 (${a.dtype} array of shape (${a.shape.join(', ')}))`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Features as float32, refusing NaN and infinities by row: a non-finite feature becomes a NaN
 * loss many epochs later, far from its cause.
 *
 * @example
 * const x = toFeatures(arr, 'x.npy'); // Float32Array [N * F]
 */
export function toFeatures(a: NdArray, label: string): Float32Array {
  if (a.shape.length !== 2 && a.shape.length !== 1) {
    throw fail(label, `features must be a 2-D array (num_nodes, num_features); got shape (${a.shape.join(', ')})`);
  }
  const width = a.shape.length === 2 ? a.shape[1]! : 1;
  const out = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) {
      const src = a.data[i]!;
      const why = Number.isFinite(src) ? `${src}, which overflows float32` : String(src);
      throw new DatasetError(
        'EDATA',
        `loadDataset: ${label}: row ${Math.floor(i / Math.max(width, 1))}, column ${i % Math.max(width, 1)} is ${why}; features must be finite`,
      );
    }
  }
  return out;
}

/** A 0/1 mask of `n` nodes from a bool/uint8/int array of shape (n,) or (n, splits) (column `split`). */
export function toMask(a: NdArray, label: string, n: number, split: number): { mask: Uint8Array; numSplits: number } {
  const numSplits = a.shape.length === 2 ? a.shape[1]! : 1;
  if (a.shape[0] !== n || a.shape.length > 2) {
    throw fail(label, `a mask must have shape (${n},) or (${n}, splits); got (${a.shape.join(', ')})`);
  }
  if (split >= numSplits) throw new RangeError(`loadDataset: split ${split} is out of range for ${label}, which has ${numSplits} split(s)`);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = a.data[i * numSplits + split]!;
    if (v !== 0 && v !== 1) throw new DatasetError('EDATA', `loadDataset: ${label}: entry ${i} is ${v}; masks must be 0 or 1`);
    mask[i] = v;
  }
  return { mask, numSplits };
}

/** A (2, E) or (E, 2) integer array as a `[2, E]` edge index. */
export function edgeIndexOf(a: NdArray, label: string): Int32Array {
  const v = toInt32(a, label);
  if (a.shape.length === 2 && a.shape[0] === 2) return v;
  if (a.shape.length === 2 && a.shape[1] === 2) {
    const e = a.shape[0]!;
    const out = new Int32Array(2 * e);
    for (let i = 0; i < e; i++) {
      out[i] = v[2 * i]!;
      out[e + i] = v[2 * i + 1]!;
    }
    return out;
  }
  throw fail(label, `an edge index must have shape (2, E) or (E, 2); got (${a.shape.join(', ')})`);
}
