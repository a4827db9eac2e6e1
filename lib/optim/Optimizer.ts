import type { Parameter } from '../nn/Parameter.js';

/** Base of the optimizers: holds the parameters and their per-parameter state. */
export abstract class Optimizer implements Disposable {
  protected readonly params: Parameter[];
  stepCount = 0;

  constructor(params: Iterable<Parameter>, readonly name: string) {
    this.params = [...params];
    if (this.params.length === 0) throw new RangeError(`${name}: no parameters to optimize`);
    for (const [i, p] of this.params.entries()) {
      if (!p || !p.requiresGrad) throw new TypeError(`${name}: params[${i}] is not a Parameter`);
    }
  }

  /** Applies one update from each parameter's `.grad` (parameters without a grad are skipped). */
  abstract step(): void;

  /** Drops every `.grad`. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  abstract dispose(): void;

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export function checkHyper(op: string, name: string, v: number, lo: number, hi: number, openLo = false): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (openLo ? v > lo : v >= lo) && v <= hi;
  if (!ok) throw new RangeError(`${op}: ${name} must be in ${openLo ? '(' : '['}${lo}, ${hi}], got ${v}`);
  return v;
}
