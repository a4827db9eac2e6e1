import { FathomError } from '../errors/FathomError.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Parameter } from './Parameter.js';

/** Parameters by dotted name (`conv0.weight`), as `Module.stateDict()` returns them. */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` found besides matching entries (PyTorch's `missing_keys`, `unexpected_keys`). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** The dtype and shape of one entry, whatever holds its values (a Tensor, a file's tensor). */
export interface StateEntry {
  dtype: string;
  shape: readonly number[];
}

/**
 * Every mismatch between a module's parameters and the entries offered for them: a name the
 * module lacks or an entry missing (both only when `strict`), a dtype or shape that differs
 * (always). Empty `problems` means the entries can be assigned.
 */
export function stateDictProblems(
  params: [string, Parameter][],
  entries: ReadonlyMap<string, StateEntry>,
  strict: boolean,
): LoadStateDictResult & { problems: string[] } {
  const own = new Map(params);
  const problems: string[] = [];
  const missingKeys = params.filter(([n]) => !entries.has(n)).map(([n]) => n);
  const unexpectedKeys = [...entries.keys()].filter((n) => !own.has(n));
  if (strict) {
    for (const n of missingKeys) problems.push(`parameter '${n}' is missing`);
    for (const n of unexpectedKeys) problems.push(`'${n}' is not a parameter of the model`);
  }
  for (const [n, e] of entries) {
    const p = own.get(n);
    if (!p) continue;
    const dtype = String(e.dtype).toLowerCase();
    if (dtype !== p.dtype || e.shape.join() !== p.shape.join())
      problems.push(`parameter '${n}' is ${dtype}[${e.shape.join(', ')}], the model's is ${p.describe()}`);
  }
  return { problems, missingKeys, unexpectedKeys };
}

/** Lists every problem in one message (the first ten, and how many more). */
export function describeProblems(problems: readonly string[]): string {
  const shown = problems.slice(0, 10).join('; ');
  return problems.length > 10 ? `${shown}; and ${problems.length - 10} more` : shown;
}

/**
 * Copies values into parameters by name, all or nothing: every entry is checked (and, off the
 * parameter's device, copied over) before the first parameter changes.
 */
export function assignByName(params: [string, Parameter][], values: ReadonlyMap<string, Tensor>): void {
  const own = new Map(params);
  const moved: Tensor[] = [];
  try {
    const plan: [Parameter, Tensor][] = [];
    for (const [n, t] of values) {
      const p = own.get(n);
      if (!p) continue;
      if (t.device === p.device) plan.push([p, t]);
      else {
        const m = t.to(p.device);
        moved.push(m);
        plan.push([p, m]);
      }
    }
    for (const [p, t] of plan) p.assign(t);
  } finally {
    for (const m of moved) m.dispose();
  }
}

/**
 * `module.loadStateDict(dict, { strict })`: checks names (when strict), dtypes and shapes of the
 * whole dict, lists every mismatch in one FathomError 'SHAPE', and assigns only when all match.
 */
export function loadStateDictInto(where: string, params: [string, Parameter][], dict: StateDict, strict: boolean): LoadStateDictResult {
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict))
    throw new TypeError(`${where}: argument dict must be an object of Tensors by parameter name`);
  const entries = new Map<string, Tensor>();
  for (const [n, t] of Object.entries(dict)) {
    if (!(t instanceof Tensor)) throw new TypeError(`${where}: dict['${n}'] is not a Tensor`);
    entries.set(n, t);
  }
  const { problems, missingKeys, unexpectedKeys } = stateDictProblems(params, entries, strict);
  if (problems.length)
    throw new FathomError(`${where}: the state dict does not match the module (nothing was assigned): ${describeProblems(problems)}`, 'SHAPE');
  assignByName(params, entries);
  return { missingKeys, unexpectedKeys };
}
