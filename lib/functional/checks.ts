import { Tensor } from '../tensor/Tensor.js';
import type { DType } from '../tensor/dtype.js';

// Argument checks shared by the functional ops: they run before native code and name the
// op, the argument and the shapes.

export function tensorArg(op: string, name: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: argument ${name} must be a Tensor, got ${typeof t}`);
  if (t.disposed) throw new TypeError(`${op}: argument ${name} (${t.describe()}) was disposed`);
  return t;
}

export function floatArg(op: string, name: string, t: unknown): Tensor {
  const x = tensorArg(op, name, t);
  if (x.dtype !== 'f32' && x.dtype !== 'f64') {
    throw new TypeError(`${op}: argument ${name} must be f32 or f64, got ${x.describe()}`);
  }
  return x;
}

export function dtypeArg(op: string, name: string, t: unknown, dtype: DType): Tensor {
  const x = tensorArg(op, name, t);
  if (x.dtype !== dtype) throw new TypeError(`${op}: argument ${name} must be ${dtype}, got ${x.describe()}`);
  return x;
}

export function rankArg(op: string, name: string, x: Tensor, rank: number): void {
  if (x.shape.length !== rank) throw new RangeError(`${op}: argument ${name} must be ${rank}-D, got ${x.describe()}`);
}

export function sameDevice(op: string, ...pairs: [string, Tensor][]): void {
  const [n0, t0] = pairs[0];
  for (const [n, t] of pairs.slice(1)) {
    if (t.device !== t0.device) {
      throw new RangeError(`${op}: argument ${n} is on ${t.device} but ${n0} is on ${t0.device} (${t.describe()} vs ${t0.describe()})`);
    }
  }
}

export function sameDtype(op: string, ...pairs: [string, Tensor][]): void {
  const [n0, t0] = pairs[0];
  for (const [n, t] of pairs.slice(1)) {
    if (t.dtype !== t0.dtype) throw new TypeError(`${op}: argument ${n} is ${t.describe()} but ${n0} is ${t0.describe()}`);
  }
}

export function sameShape(op: string, a: [string, Tensor], b: [string, Tensor]): void {
  if (a[1].shape.length !== b[1].shape.length || a[1].shape.some((d, i) => d !== b[1].shape[i])) {
    throw new RangeError(`${op}: shapes differ: ${a[0]} is ${a[1].describe()}, ${b[0]} is ${b[1].describe()}`);
  }
}

export function finiteNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${op}: argument ${name} must be a number, got ${typeof v}`);
  if (!Number.isFinite(v)) throw new RangeError(`${op}: argument ${name} must be finite, got ${v}`);
  return v;
}
