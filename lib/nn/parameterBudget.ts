import { FathomError } from '../errors/FathomError.js';

// While a model is rebuilt from a checkpoint's config, the file's own tensors bound what the
// build may allocate: a config naming 10^9 layers or a width of 2^20 stops at the first
// parameter past what the file holds, before memory or time run out, instead of aborting the
// process or hanging. Synchronous builds only: the budget is one module-level slot.

interface Budget {
  scalars: number;
  tensors: number;
  readonly source: string;
}

let active: Budget | null = null;

/**
 * Runs `build` with a budget of at most `limit.tensors` parameters holding `limit.scalars`
 * scalars in all; a module that would register more throws a FathomError 'RANGE' naming `source`.
 *
 * @example
 * const model = withParameterBudget({ scalars: 1e6, tensors: 40, source: 'ckpt.safetensors' }, () => new GCN(config));
 */
export function withParameterBudget<T>(limit: { scalars: number; tensors: number; source: string }, build: () => T): T {
  if (active) throw new Error('withParameterBudget: budgets do not nest');
  active = { scalars: limit.scalars, tensors: limit.tensors, source: limit.source };
  try {
    return build();
  } finally {
    active = null;
  }
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Throws when a parameter of `shape` would not fit the active budget (no budget: never). Call before drawing its values. */
export function checkParameterFits(shape: readonly number[]): void {
  checkParametersFit(1, sizeOf(shape), `a parameter of shape [${shape.join(', ')}]`);
}

/**
 * Throws when `tensors` parameters of `scalars` scalars in all would not fit the active budget:
 * for a model that draws the values of several layers before it registers any of them.
 */
export function checkParametersFit(tensors: number, scalars: number, what = `${tensors} parameters of ${scalars} scalars`): void {
  if (!active) return;
  if (tensors > active.tensors || scalars > active.scalars) {
    throw new FathomError(
      `${active.source}: its model config describes more parameters than the file holds (${what} ` +
        `does not fit the ${active.scalars} scalars and ${active.tensors} tensors left); the config and the weights disagree`,
      'RANGE',
    );
  }
}

/** Counts a registered parameter against the active budget. */
export function chargeParameter(shape: readonly number[]): void {
  if (!active) return;
  checkParameterFits(shape);
  active.tensors -= 1;
  active.scalars -= sizeOf(shape);
}
