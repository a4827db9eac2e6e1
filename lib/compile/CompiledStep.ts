import { native } from '../binding/native.js';
import type { PlanHandle } from '../binding/types.js';
import type { Rng } from '../random/rng.js';
import { Tensor } from '../tensor/Tensor.js';
import { planFromTraces, type ScalarSource, type StepInput } from './planFromTraces.js';
import { traceStep, type Trace } from './trace.js';

/** What a compiled step needs of its owner besides the body (see CompiledStep). */
export interface CompiledStepOptions {
  /** Arguments that change by design from step to step (the optimizer's lr and step count). */
  inputs?: readonly StepInput[];
  /** Called before each replay to do what the body's JavaScript would (an optimizer's stepCount++). */
  advance?: () => void;
  /** Told once, when the step falls back to eager execution for good. */
  onFallback?: (reason: string) => void;
  /** A value that changes when the step's inputs are replaced (the optimizer's state): the step is traced anew. */
  key?: () => unknown;
  /** On CUDA, capture the replay as a CUDA Graph (native/plan; FitOptions.compile). */
  cudaGraph?: boolean;
}

/** Mismatching pairs of traces before the step gives up on compiling. */
const MAX_RETRACES = 3;
/** Plans kept per step, the current one included: a setting changed and changed back (a callback toggling dropout, say) finds its plan again. */
const CACHED_PLANS = 4;

interface Plan {
  handle: PlanHandle;
  sources: ScalarSource[];
  draws: [Rng, number][];
  scalars: Float64Array;
}

/**
 * A step (training or evaluation) that runs eagerly at first, is traced on its next two runs,
 * and from then on replays natively in one call: the plan both traces agree on (planFromTraces),
 * with the per-step scalars — random seeds drawn from the same streams, the optimizer's inputs —
 * filled in at every replay. The first run is never traced: it creates lazy state (optimizer
 * moments, cached operators). A step that cannot be replayed (a host read, state carried out of
 * the step, an op outside the table) or whose traces keep disagreeing runs eagerly from then on,
 * with one notice: never a wrong result. A plan is keyed (`key`: the optimizer's state, the
 * modules' settings); a new key traces anew, and the last few plans are kept, so a key seen
 * before replays at once. A plan whose inputs were disposed since is dropped and traced anew.
 *
 * @example
 * const step = new CompiledStep({ inputs: optimizer.stepInputs() ?? [], advance: () => optimizer.replayedStep() });
 * const [loss] = step.run(() => { ...forward, backward, optimizer.step(), zeroGrad; return [loss]; });
 */
export class CompiledStep implements Disposable {
  readonly #options: CompiledStepOptions;
  #runs = 0;
  #previous: { trace: Trace; inputs: number[] } | null = null;
  #retraces = 0;
  #plan: Plan | null = null;
  // Plans of earlier keys, least recently used first.
  readonly #cache = new Map<unknown, Plan>();
  #fallback: string | null = null;
  #key: unknown;

  constructor(options: CompiledStepOptions) {
    this.#options = options;
  }

  /** Whether the next run replays a plan. */
  get compiled(): boolean {
    return this.#plan !== null;
  }

  /** Whether the last replay launched a captured CUDA Graph. */
  get cudaGraph(): boolean {
    return this.#plan?.handle.cudaGraph ?? false;
  }

  /** Why the replay is not a CUDA Graph (null when it is, or before the first replay). */
  get cudaGraphReason(): string | null {
    return this.#plan?.handle.cudaGraphReason ?? null;
  }

  /** Why the step runs eagerly for good; null while it may compile. */
  get fallbackReason(): string | null {
    return this.#fallback;
  }

  /** Runs the step: `body` eagerly, traced, or not at all (a replay); returns its outputs. */
  run(body: () => Tensor[]): Tensor[] {
    const key = this.#options.key?.();
    if (key !== this.#key) this.#switchTo(key);
    if (this.#plan?.handle.stale) {
      // An input went (a parameter replaced, a graph's cached operator freed): trace anew.
      this.#plan.handle.dispose();
      this.#plan = null;
      this.#runs = 0;
    }
    this.#runs++;
    if (this.#plan) return this.#replay();
    if (this.#fallback !== null || this.#runs === 1) return body();
    let result: Tensor[] = [];
    const { trace } = traceStep(() => {
      result = body();
      return result.map((t) => t.handle('compiledStep'));
    });
    const inputs = (this.#options.inputs ?? []).map((i) => i.value());
    if (trace.unsupported) {
      this.#giveUp(trace.unsupported);
    } else if (this.#previous) {
      const draft = planFromTraces(this.#previous.trace, trace, this.#options.inputs ?? [], [this.#previous.inputs, inputs]);
      if ('mismatch' in draft) {
        if (++this.#retraces >= MAX_RETRACES) this.#giveUp(draft.mismatch);
      } else {
        this.#plan = {
          handle: new (native().PlanHandle)({ ...draft.spec, cudaGraph: this.#options.cudaGraph ?? false }),
          sources: draft.sources,
          draws: [...draft.draws],
          scalars: new Float64Array(draft.sources.length),
        };
      }
    }
    this.#previous = this.#plan || this.#fallback !== null ? null : { trace, inputs };
    return result;
  }

  #replay(): Tensor[] {
    const plan = this.#plan!;
    this.#options.advance?.();
    // The streams advance exactly as the body's draws would; the plan takes the values it uses.
    const drawn = new Map<Rng, number[]>();
    for (const [rng, n] of plan.draws) {
      const values = new Array<number>(n);
      for (let k = 0; k < n; k++) values[k] = rng.nextUint32();
      drawn.set(rng, values);
    }
    plan.sources.forEach((s, i) => {
      plan.scalars[i] = s.kind === 'input' ? s.input.value() : (drawn.get(s.rng)![s.index]! + s.offset) >>> 0;
    });
    return plan.handle.run(plan.scalars).map((h) => new Tensor(h));
  }

  /** Keeps the current plan under its key and takes the new key's, if one was kept. */
  #switchTo(key: unknown): void {
    if (this.#plan) this.#cache.set(this.#key, this.#plan);
    this.#plan = this.#cache.get(key) ?? null;
    this.#cache.delete(key);
    for (const [k, old] of this.#cache) {
      if (this.#cache.size < CACHED_PLANS) break;
      old.handle.dispose();
      this.#cache.delete(k);
    }
    this.#previous = null;
    // A kept plan replays from the next run on; otherwise the new key starts over (eager, traced).
    this.#runs = this.#plan ? 3 : 0;
    this.#retraces = 0;
    this.#key = key;
  }

  #giveUp(reason: string): void {
    this.#fallback = reason;
    this.#previous = null;
    this.#options.onFallback?.(reason);
  }

  /** Frees the plans (their inputs stay with their owners). Idempotent. */
  dispose(): void {
    this.#plan?.handle.dispose();
    this.#plan = null;
    for (const p of this.#cache.values()) p.handle.dispose();
    this.#cache.clear();
    this.#previous = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
