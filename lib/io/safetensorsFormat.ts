import type { DType } from '../tensor/dtype.js';

/** The safetensors dtypes Fathom reads and writes, and Fathom's name for each. */
export const ST_DTYPES = { F32: 'f32', F64: 'f64', I32: 'i32', U8: 'u8' } as const satisfies Record<string, DType>;
export type StDType = keyof typeof ST_DTYPES;

export const ITEM_SIZE: Record<StDType, number> = { F32: 4, F64: 8, I32: 4, U8: 1 };

/** The typed array of each safetensors dtype. */
export type StArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** One tensor of a safetensors file: dtype, shape and a host copy of its data. */
export interface StTensor {
  dtype: StDType;
  shape: number[];
  data: StArray;
}

/** A whole safetensors file: named tensors and the string→string `__metadata__` map. */
export interface StFile {
  tensors: Map<string, StTensor>;
  metadata: Record<string, string>;
}

/**
 * Upper bound on the JSON header. The safetensors reference implementation uses 100 MB;
 * a checkpoint of a 1,000-layer model has a few thousand entries, far below it.
 */
export const MAX_HEADER_BYTES = 100_000_000;

export function dtypeOfArray(a: StArray): StDType {
  if (a instanceof Float32Array) return 'F32';
  if (a instanceof Float64Array) return 'F64';
  if (a instanceof Int32Array) return 'I32';
  if (a instanceof Uint8Array) return 'U8';
  throw new TypeError('safetensors: data must be a Float32Array, Float64Array, Int32Array or Uint8Array');
}
