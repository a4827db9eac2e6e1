import type { StepInput } from '../compile/planFromTraces.js';
import type { Parameter } from '../nn/Parameter.js';
import type { Tensor } from '../tensor/Tensor.js';

/**
 * An optimizer's state for checkpoints: hyperparameters, the step count and, per
 * parameter (in constructor order), its named state tensors (null before its first step).
 */
export interface OptimizerState {
  name: string;
  hyper: Record<string, number | boolean | number[]>;
  stepCount: number;
  slots: (Record<string, Tensor> | null)[];
}

/** Base of the optimizers: holds the parameters and their per-parameter state. */
export abstract class Optimizer implements Disposable {
  protected readonly params: Parameter[];
  stepCount = 0;
  #lr = 0;

  constructor(
    params: Iterable<Parameter>,
    readonly name: string,
  ) {
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<Parameter>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${name}: argument params must be an iterable of Parameters (model.parameters())`);
    }
    this.params = [...params];
    if (this.params.length === 0) throw new RangeError(`${name}: no parameters to optimize`);
    for (const [i, p] of this.params.entries()) {
      if (!p?.requiresGrad) throw new TypeError(`${name}: params[${i}] is not a Parameter`);
    }
  }

  /**
   * The learning rate of the next step(). Settable, so that a schedule can change it between
   * steps (see fit()'s `lrSchedule`); checkpoints save the current value.
   *
   * @example
   * optimizer.lr *= 0.5;
   */
  get lr(): number {
    return this.#lr;
  }

  set lr(value: number) {
    this.#lr = checkHyper(this.name, 'lr', value, 0, Infinity);
  }

  /** Applies one update from each parameter's `.grad` (parameters without a grad are skipped). */
  abstract step(): void;

  /**
   * @internal Bumped whenever the state tensors are replaced (importState, dispose): a compiled
   * step made before would read the old ones, so it is traced anew.
   */
  stateVersion = 0;

  /**
   * @internal For compiled steps: the arguments of this optimizer's native update that change
   * from step to step (read at every replay), or null when this optimizer does not say, and
   * steps using it run eagerly.
   */
  stepInputs(): StepInput[] | null {
    return null;
  }

  /** @internal What step() does in JavaScript besides its native updates, for a replayed step. */
  replayedStep(): void {
    this.stepCount++;
  }

  /** Drops every `.grad`. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** The state, sharing the live tensors (copy or read them; do not dispose them). */
  abstract exportState(): OptimizerState;

  /** Restores {@link exportState}'s result, copying the tensors; the caller keeps its own. */
  abstract importState(state: OptimizerState): void;

  /** The parameters, in the order the state slots follow. */
  get parameterList(): readonly Parameter[] {
    return this.params;
  }

  protected checkImport(state: OptimizerState, slotNames: string[]): void {
    if (state?.name !== this.name) throw new RangeError(`${this.name}.importState: state is for '${state?.name}'`);
    // A safe integer: the native update takes it as int64, and 1e300 would wrap to a negative step.
    if (!Number.isSafeInteger(state.stepCount) || state.stepCount < 0) {
      throw new RangeError(`${this.name}.importState: stepCount must be a non-negative safe integer, got ${state.stepCount}`);
    }
    if (!Array.isArray(state.slots) || state.slots.length !== this.params.length) {
      throw new RangeError(`${this.name}.importState: ${state.slots?.length} slots for ${this.params.length} parameters`);
    }
    state.slots.forEach((slot, i) => {
      if (slot === null) return;
      for (const k of slotNames) {
        const t = slot[k];
        const p = this.params[i]!;
        if (!t || t.dtype !== p.dtype || t.shape.join() !== p.shape.join()) {
          throw new RangeError(`${this.name}.importState: slot ${i} '${k}' does not match parameter ${p.describe()}`);
        }
      }
    });
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
