import { FathomError, type FathomErrorCode } from '../errors/FathomError.js';
import { SparseFeatures } from '../tensor/SparseFeatures.js';
import { Tensor } from '../tensor/Tensor.js';
import { shapeString, type DType } from '../tensor/dtype.js';

// Argument checks of the functional ops (docs/errors.md):
// - type guards (is it a Tensor, a number) and disposed guards live here and throw TypeError:
//   the native core never sees a JS value of the wrong type or a freed handle;
// - value checks (dtype, shape, device, numeric ranges) live in native/ops and throw FathomError
//   with a code (TYPE, SHAPE, DEVICE, RANGE).
// The value checks below are for the few places native cannot see the value or would name the
// wrong op (composites of several native calls, host-side arrays, options TypeScript turns into
// other arguments): they throw the code native would, in native's wording.

/** `t` must be a live Tensor (TypeError otherwise). */
export function tensorArg(op: string, name: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: argument ${name} must be a Tensor, got ${typeof t}`);
  if (t.disposed) throw new TypeError(`${op}: argument ${name} (${t.describe()}) was disposed`);
  return t;
}

/** `v` must be a number (TypeError otherwise); its range is the op's to check. */
export function numberArg(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${op}: argument ${name} must be a number, got ${typeof v}`);
  return v;
}

/** A FathomError `code` from `op`, worded as the native checks word theirs. */
export function valueError(code: FathomErrorCode, op: string, message: string): FathomError {
  return new FathomError(`${op}: ${message}`, code);
}

/** "f32[3, 4]", as native messages write a tensor (the device only where it matters). */
export function brief(t: Tensor | SparseFeatures): string {
  return t instanceof SparseFeatures ? t.describe() : `${t.dtype}${shapeString(t.shape)}`;
}

// The checks TypeScript keeps: each one the TS twin of a native check in native/ops/dispatch.h.

export function requireFloat(op: string, name: string, t: Tensor): void {
  if (t.dtype !== 'f32' && t.dtype !== 'f64') throw valueError('TYPE', op, `argument ${name} must be f32 or f64, got ${brief(t)}`);
}

export function requireDtype(op: string, name: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) throw valueError('TYPE', op, `argument ${name} must be ${dtype}, got ${brief(t)}`);
}

export function requireRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.shape.length !== rank) throw valueError('SHAPE', op, `argument ${name} must be ${rank}-D, got ${brief(t)}`);
}

/** `name` against the reference argument `refName`. */
export function requireSameDtype(op: string, refName: string, ref: Tensor | SparseFeatures, name: string, t: Tensor): void {
  if (t.dtype !== ref.dtype) {
    throw valueError('TYPE', op, `argument ${name} is ${brief(t)} but ${refName} is ${brief(ref)}; both must have one dtype`);
  }
}

export function requireSameDevice(op: string, refName: string, ref: Tensor | SparseFeatures, name: string, t: Tensor): void {
  if (t.device !== ref.device) {
    throw valueError('DEVICE', op, `argument ${name} is ${t.describe()} but ${refName} is ${ref.describe()}; both must be on one device`);
  }
}

export function requireSameShape(op: string, refName: string, ref: Tensor, name: string, t: Tensor): void {
  if (t.shape.length !== ref.shape.length || t.shape.some((d, i) => d !== ref.shape[i])) {
    throw valueError('SHAPE', op, `argument ${name} is ${brief(t)} but ${refName} is ${brief(ref)}; the shapes must be equal`);
  }
}

export function requireFinite(op: string, name: string, v: number): void {
  if (!Number.isFinite(v)) throw valueError('RANGE', op, `argument ${name} = ${v} must be finite`);
}
