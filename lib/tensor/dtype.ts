import type { DType, NativeArray } from '../binding/types.js';

export type { DType, Device, NativeArray } from '../binding/types.js';

/** The typed array that holds each dtype. */
export const ARRAY_TYPES = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u8: Uint8Array,
} as const;

export function dtypeOfArray(data: NativeArray): DType {
  if (data instanceof Float32Array) return 'f32';
  if (data instanceof Float64Array) return 'f64';
  if (data instanceof Int32Array) return 'i32';
  return 'u8';
}

export function isDType(value: unknown): value is DType {
  return value === 'f32' || value === 'f64' || value === 'i32' || value === 'u8';
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
