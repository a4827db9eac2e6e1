import type { Rng } from '../random/rng.js';
import type { Device, DType } from '../tensor/dtype.js';
import { Parameter } from './Parameter.js';
import { chargeParameter, checkParameterFits } from './parameterBudget.js';
import { loadStateDictInto, type LoadStateDictResult, type StateDict } from './stateDict.js';

/** Draws a parameter's initial values (row-major, float64) from a random stream. */
export type Initializer = (rng: Rng) => ArrayLike<number>;

/**
 * Base of every layer and model: owns parameters and child modules, switches between
 * training and evaluation, and frees everything on dispose().
 *
 * @example
 * class Affine extends Module {
 *   readonly w = this.registerParameter('w', Parameter.fromValues([1, 0, 0, 1], [2, 2]));
 * }
 */
export abstract class Module implements Disposable {
  training = true;
  #parameters = new Map<string, Parameter>();
  #children = new Map<string, Module>();
  #initializers = new Map<Parameter, Initializer>();
  #disposed = false;

  /**
   * Runs a constructor's body and returns its value: when it throws, everything registered so far
   * is disposed before the error propagates, so a failed construction leaks no native memory.
   *
   * @example
   * constructor(options: Options) { super(); this.build(() => { this.conv = this.registerModule('conv', new GCNConv(4, 4)); }); }
   */
  protected build<T>(body: () => T): T {
    try {
      return body();
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * Creates and registers a parameter of `shape`: from `given` values when set (checked against
   * the shape), else drawn by `init` from `rng`. `init` is kept for {@link resetParameters}.
   */
  protected parameter(
    name: string,
    shape: readonly number[],
    init: Initializer,
    rng: Rng,
    options: { given?: ArrayLike<number>; dtype?: DType; device?: Device } = {},
  ): Parameter {
    checkParameterFits(shape);
    const values = options.given ?? init(rng);
    const n = shape.reduce((a, b) => a * b, 1);
    if (values.length !== n) throw new RangeError(`${this.constructor.name}: ${name} has ${values.length} values, expected ${shape.join('×')}`);
    const p = this.registerParameter(name, Parameter.fromValues(values, shape, options));
    this.#initializers.set(p, init);
    return p;
  }

  /**
   * Redraws every parameter created through {@link parameter} (children included, in
   * registration order) from its initializer with `rng`, in place (PyG's reset_parameters).
   *
   * @example
   * conv.resetParameters(new Rng(1));
   */
  resetParameters(rng: Rng): this {
    for (const [p, init] of this.#initializers) {
      const values = init(rng);
      const fresh = Parameter.fromValues(values, p.shape, { dtype: p.dtype, device: p.device });
      try {
        p.assign(fresh);
      } finally {
        fresh.dispose();
      }
    }
    for (const c of this.#children.values()) c.resetParameters(rng);
    return this;
  }

  protected registerParameter(name: string, p: Parameter): Parameter {
    if (this.#parameters.has(name) || this.#children.has(name)) throw new RangeError(`Module: name '${name}' is already registered`);
    chargeParameter(p.shape);
    this.#parameters.set(name, p);
    return p;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    if (this.#parameters.has(name) || this.#children.has(name)) throw new RangeError(`Module: name '${name}' is already registered`);
    this.#children.set(name, m);
    return m;
  }

  /** (dotted name, parameter) pairs, depth first, each parameter once. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const walk = (m: Module, pre: string) => {
      for (const [n, p] of m.#parameters) {
        if (!seen.has(p)) {
          seen.add(p);
          out.push([pre + n, p]);
        }
      }
      for (const [n, c] of m.#children) walk(c, `${pre}${n}.`);
    };
    walk(this, prefix);
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Every parameter by dotted name, sharing the live tensors (as PyTorch's `state_dict()`):
   * copy or read them, do not dispose them. `saveStateDict` writes one to a safetensors file.
   *
   * @example
   * const dict = model.stateDict(); dict['conv0.weight'].shape; // [16, 1433]
   */
  stateDict(): StateDict {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Copies a state dict's tensors into the parameters of the same names. All or nothing: names
   * (with `strict`, the default: no entry missing, none unknown), dtypes and shapes are checked
   * for the whole dict first and every mismatch is listed in one FathomError 'SHAPE'.
   *
   * @example
   * const { missingKeys } = twin.loadStateDict(model.stateDict(), { strict: false });
   */
  loadStateDict(dict: StateDict, options: { strict?: boolean } = {}): LoadStateDictResult {
    return loadStateDictInto(`${this.constructor.name}.loadStateDict`, this.namedParameters(), dict, options?.strict ?? true);
  }

  /**
   * This module and every module below it, depth first, each once (PyTorch's `modules()`).
   *
   * @example
   * const convs = model.modules().filter((m) => m instanceof GCNConv);
   */
  modules(): Module[] {
    const out: Module[] = [];
    const seen = new Set<Module>();
    const walk = (m: Module) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push(m);
      for (const c of m.#children.values()) walk(c);
    };
    walk(this);
    return out;
  }

  /** Total number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  train(on = true): this {
    this.training = on;
    for (const c of this.#children.values()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees every parameter of this module and its children. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const p of this.#parameters.values()) {
      p.grad?.dispose();
      p.dispose();
    }
    for (const c of this.#children.values()) c.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
