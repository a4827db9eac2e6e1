import { native } from '../binding/native.js';
import type { TensorHandle } from '../binding/types.js';
import { track } from '../autograd/scope.js';
import { assertCudaUsable } from '../runtime/devices.js';
import { ARRAY_TYPES, dtypeOfArray, isDType, shapeString, type Device, type DType, type NativeArray } from './dtype.js';

/** A node of the autograd graph: how to map the output's gradient to the inputs' gradients. */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly (Tensor | null)[];
  backward(grad: Tensor): (Tensor | null)[];
}

// Safety net only: tensors should be disposed explicitly (dispose(), `using`, or tidy()).
const finalizer = new FinalizationRegistry<TensorHandle>((handle) => handle.dispose());

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
}

/**
 * A dense n-d array on the CPU or a CUDA device, owned by native code.
 *
 * @example
 * using x = Tensor.from([1, 2, 3, 4], [2, 2]);     // f32 on cpu
 * console.log(x.toArray());                          // Float32Array [1, 2, 3, 4]
 */
export class Tensor implements Disposable {
  #handle: TensorHandle | null;
  #released = false;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: Device;
  /** Leaves with requiresGrad receive `.grad` from backward(). */
  requiresGrad = false;
  grad: Tensor | null = null;
  gradFn: GradNode | null = null;

  /** @internal Wraps a native handle; use the static constructors. */
  constructor(handle: TensorHandle) {
    if (!handle || typeof handle !== 'object' || typeof handle.dispose !== 'function') {
      throw new TypeError('Tensor: create tensors with Tensor.from, Tensor.zeros or Tensor.full (the constructor takes a native handle)');
    }
    this.#handle = handle;
    this.shape = Object.freeze(handle.shape);
    this.dtype = handle.dtype;
    this.device = handle.device;
    finalizer.register(this, handle, this);
    track(this);
  }

  /**
   * A tensor holding `data` (copied). A plain array becomes `options.dtype` (default f32);
   * a typed array keeps its own dtype. `shape` defaults to [data.length].
   *
   * @example
   * const w = Tensor.from(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
   */
  static from(data: NativeArray | readonly number[], shape?: readonly number[], options: TensorOptions = {}): Tensor {
    const isTyped = ArrayBuffer.isView(data);
    if (!isTyped && !Array.isArray(data)) throw new TypeError('Tensor.from: data must be an array or a typed array');
    const dtype = options.dtype ?? (isTyped ? dtypeOfArray(data as NativeArray) : 'f32');
    if (!isDType(dtype)) throw new RangeError(`Tensor.from: dtype '${String(dtype)}' is not one of f32, f64, i32, u8`);
    const dims = shape ?? [data.length];
    checkShape('Tensor.from', dims);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new RangeError(`Tensor.from: data has ${data.length} elements but shape ${shapeString(dims)} needs ${count}`);
    }
    const Ctor = ARRAY_TYPES[dtype];
    const array = data instanceof Ctor ? data : Ctor.from(data as ArrayLike<number>);
    const handle = new (native().TensorHandle)(array as NativeArray, [...dims], dtype);
    return Tensor.onDevice(handle, options.device ?? 'cpu');
  }

  /** A tensor of `shape` filled with `value`. */
  static full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
    checkShape('Tensor.full', shape);
    if (typeof value !== 'number') throw new TypeError('Tensor.full: value must be a number');
    if (options.device === 'cuda') assertCudaUsable('Tensor.full');
    return new Tensor(native().fill([...shape], options.dtype ?? 'f32', options.device ?? 'cpu', value));
  }

  static zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
    return Tensor.full(shape, 0, options);
  }

  static onDevice(handle: TensorHandle, device: Device): Tensor {
    if (device === 'cpu') return new Tensor(handle);
    try {
      if (device === 'cuda') assertCudaUsable('Tensor.onDevice');
      return new Tensor(handle.to(device));
    } finally {
      handle.dispose();
    }
  }

  /** @internal The native handle; throws when disposed. `op` names the caller in the error. */
  handle(op = 'tensor'): TensorHandle {
    if (!this.#handle) {
      if (this.#released) throw new TypeError(`${op}: the values of the intermediate ${this.describe()} were freed after their last use`);
      throw new TypeError(`${op}: the tensor ${this.describe()} was disposed`);
    }
    return this.#handle;
  }

  get disposed(): boolean {
    return this.#handle === null && !this.#released;
  }

  /**
   * @internal Frees the values of an autograd intermediate whose values no backward rule reads
   * (the output of a matmul fed only to propagate, say), keeping its place in the graph: shape,
   * gradFn and the gradient that will flow through it. Layers call it on tensors they created
   * and never hand out, so a deep model's step holds only the activations backward needs.
   * Reading the values afterwards throws; dispose() still ends it.
   */
  releaseData(): void {
    if (!this.#handle) return;
    finalizer.unregister(this);
    this.#handle.dispose();
    this.#handle = null;
    this.#released = true;
  }

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Frees the native memory now, with the gradient this tensor holds. Idempotent. */
  dispose(): void {
    if (!this.#handle && !this.#released) return;
    if (this.#handle) {
      finalizer.unregister(this);
      this.#handle.dispose();
      this.#handle = null;
    }
    this.#released = false;
    this.gradFn = null;
    this.grad?.dispose();
    this.grad = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A copy of the data, on the host. */
  toArray(): NativeArray {
    return this.handle('toArray').toArray();
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1) throw new RangeError(`item: tensor ${this.describe()} has ${this.numel} elements, not 1`);
    return this.toArray()[0];
  }

  /** A copy on `device` (always a new tensor). */
  to(device: Device): Tensor {
    if (device !== 'cpu' && device !== 'cuda') throw new RangeError(`to: device '${String(device)}' is not one of cpu, cuda`);
    if (device === 'cuda') assertCudaUsable('to');
    return new Tensor(this.handle('to').to(device));
  }

  clone(): Tensor {
    return new Tensor(this.handle('clone').clone());
  }

  /** A tensor of another dtype (a copy). */
  cast(dtype: DType): Tensor {
    if (!isDType(dtype)) throw new RangeError(`cast: dtype '${String(dtype)}' is not one of f32, f64, i32, u8`);
    return new Tensor(native().cast(this.handle('cast'), dtype));
  }

  describe(): string {
    return `${this.dtype}${shapeString(this.shape)} on ${this.device}`;
  }

  toString(): string {
    return `Tensor(${this.describe()}${this.disposed ? ', disposed' : ''})`;
  }
}

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of integers`);
  for (const [i, d] of shape.entries()) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${op}: shape[${i}] = ${d} is not a non-negative integer`);
  }
}
