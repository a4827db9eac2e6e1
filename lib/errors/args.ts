// Guards for the entry points of the public API: a missing or wrong-typed argument becomes a
// TypeError that names the function and the argument, before any property of it is read.

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** `value` must be a plain options object (or undefined when `optional`). */
export function requireObject(op: string, name: string, value: unknown, optional = false): void {
  if (value === undefined && optional) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${op}: argument ${name} must be an object, got ${kind(value)}`);
  }
}

export function requireFunction(op: string, name: string, value: unknown): void {
  if (typeof value !== 'function') throw new TypeError(`${op}: argument ${name} must be a function, got ${kind(value)}`);
}

export function requireArray(op: string, name: string, value: unknown): void {
  if (!Array.isArray(value)) throw new TypeError(`${op}: argument ${name} must be an array, got ${kind(value)}`);
}

/** A typed array or a plain array of numbers. */
export function requireArrayLike(op: string, name: string, value: unknown): void {
  if (!ArrayBuffer.isView(value) && !Array.isArray(value)) {
    throw new TypeError(`${op}: argument ${name} must be an array or a typed array, got ${kind(value)}`);
  }
}

/** `value instanceof ctor`; `ctor` is any class, private constructors included. */
export function requireInstance(op: string, name: string, value: unknown, ctor: { prototype: object }, what: string): void {
  if (!(value instanceof (ctor as unknown as new () => object))) {
    throw new TypeError(`${op}: argument ${name} must be ${what}, got ${kind(value)}`);
  }
}

/** `value` must be an integer ≥ 1; returns it. */
export function requirePositiveInteger(op: string, name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new RangeError(`${op}: ${name} must be a positive integer, got ${String(value)}`);
  return value as number;
}
