import { requireArray, requireFunction, requireObject } from '../../errors/args.js';
import type { EpochReport } from '../fitTypes.js';
import type { BackwardPass, Callback, FitContext, StepResult } from './Callback.js';

const HOOKS = ['onFitStart', 'onStepStart', 'onBackward', 'onStepEnd', 'onEpochEnd', 'onFitEnd', 'teardown'] as const;

/** Runs one hook of every callback in order (see Callback for the order and the timing). */
export class CallbackList {
  readonly #callbacks: readonly Callback[];

  /** `builtIn`, then the user's callbacks (checked here), then `last`. */
  constructor(builtIn: readonly Callback[], user: unknown, last: readonly Callback[] = []) {
    if (user !== undefined) {
      requireArray('fit', 'options.callbacks', user);
      (user as unknown[]).forEach((c, i) => {
        requireObject('fit', `options.callbacks[${i}]`, c);
        for (const hook of HOOKS) {
          const f = (c as Record<string, unknown>)[hook];
          if (f !== undefined) requireFunction('fit', `options.callbacks[${i}].${hook}`, f);
        }
      });
    }
    this.#callbacks = [...builtIn, ...((user as readonly Callback[] | undefined) ?? []), ...last];
  }

  async fitStart(ctx: FitContext): Promise<void> {
    for (const c of this.#callbacks) await c.onFitStart?.(ctx);
  }

  /** Whether any callback asked for per-layer features. */
  stepStart(ctx: FitContext): boolean {
    let features = false;
    for (const c of this.#callbacks) if (c.onStepStart?.(ctx)?.features) features = true;
    return features;
  }

  /** Whether any callback runs inside the step (onBackward): such a step cannot be compiled. */
  get hasBackwardHooks(): boolean {
    return this.#callbacks.some((c) => c.onBackward !== undefined);
  }

  backward(ctx: FitContext, pass: BackwardPass): void {
    for (const c of this.#callbacks) c.onBackward?.(ctx, pass);
  }

  async stepEnd(ctx: FitContext, step: StepResult): Promise<void> {
    for (const c of this.#callbacks) await c.onStepEnd?.(ctx, step);
  }

  async epochEnd(ctx: FitContext, report: EpochReport): Promise<void> {
    for (const c of this.#callbacks) if ((await c.onEpochEnd?.(ctx, report)) === 'stop') ctx.stop('callback');
  }

  async fitEnd(ctx: FitContext): Promise<void> {
    for (const c of this.#callbacks) await c.onFitEnd?.(ctx);
  }

  /** Every teardown, last callback first, even when one throws; then the first error, with `rethrow`. */
  teardown(ctx: FitContext, rethrow: boolean): void {
    const errors: unknown[] = [];
    for (const c of [...this.#callbacks].reverse()) {
      try {
        c.teardown?.(ctx);
      } catch (e) {
        errors.push(e);
      }
    }
    if (rethrow && errors.length) throw errors[0];
  }
}
