import { Parameter } from './Parameter.js';

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
  #disposed = false;

  protected registerParameter(name: string, p: Parameter): Parameter {
    if (this.#parameters.has(name) || this.#children.has(name)) throw new RangeError(`Module: name '${name}' is already registered`);
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
