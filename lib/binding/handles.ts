// The native handles every op family's binding passes across the boundary: tensors and CSR
// operators. Kept apart from types.ts so the families and the full binding both build on them.

export type DType = 'f32' | 'f64' | 'i32' | 'u8';
export type Device = 'cpu' | 'cuda';
export type NativeArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface TensorHandle {
  readonly disposed: boolean;
  readonly shape: number[];
  readonly dtype: DType;
  readonly device: Device;
  dispose(): void;
  toArray(): NativeArray;
  /** Always a new tensor, also when already on `device`. */
  to(device: Device): TensorHandle;
  clone(): TensorHandle;
  /** Shares storage. */
  reshape(shape: number[]): TensorHandle;
  copyFrom(source: TensorHandle): void;
}

export interface CsrInfo {
  rows: number;
  cols: number;
  nnz: number;
  device: Device;
  weighted: boolean;
  dtype?: DType;
}

export interface CsrHandle {
  readonly disposed: boolean;
  dispose(): void;
  info(): CsrInfo;
  arrays(): { rowptr: TensorHandle; col: TensorHandle; perm: TensorHandle; values?: TensorHandle };
}
