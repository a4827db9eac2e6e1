import { FathomError } from '../errors/FathomError.js';
import type { StTensorInput } from '../io/encodeSafetensors.js';
import { readSafetensors } from '../io/readSafetensors.js';
import type { StArray, StTensor } from '../io/safetensorsFormat.js';
import { writeSafetensors } from '../io/writeSafetensors.js';
import type { Module } from '../nn/Module.js';
import { assignByName, describeProblems, stateDictProblems, type LoadStateDictResult } from '../nn/stateDict.js';
import { Tensor } from '../tensor/Tensor.js';
import { CHECKPOINT_FORMAT, isModule, MODEL_PREFIX } from './checkpointFormat.js';

/**
 * Writes a module's parameters to a safetensors file by dotted name (`conv0.weight`), the
 * layout PyTorch's `save_file(model.state_dict())` gives; atomically. Any Module, no config()
 * needed: load it back with {@link loadStateDict} into a module of the same structure.
 *
 * @example
 * saveStateDict('weights.safetensors', model);
 */
export function saveStateDict(path: string, module: Module): void {
  if (typeof path !== 'string') throw new TypeError('saveStateDict: argument path must be a string');
  if (!isModule(module)) throw new TypeError('saveStateDict: argument module must be a Module');
  const tensors: Record<string, StTensorInput> = {};
  for (const [name, p] of module.namedParameters()) tensors[name] = { data: p.toArray() as StArray, shape: p.shape };
  writeSafetensors(path, tensors, { format: 'fathom-state-dict/1' });
}

/**
 * Loads parameters by name from a safetensors file into `module`, all or nothing: names (with
 * `strict`, the default), dtypes, shapes and finite values are checked for every entry, every
 * mismatch is listed, and nothing is assigned unless all match. Reads a {@link saveStateDict}
 * file, a plain safetensors state dict, or the weights of a Fathom checkpoint.
 *
 * @throws FathomError 'IO' naming the file and each mismatch.
 * @example
 * const { missingKeys } = loadStateDict('weights.safetensors', model, { strict: false });
 */
export function loadStateDict(path: string, module: Module, options: { strict?: boolean } = {}): LoadStateDictResult {
  if (!isModule(module)) throw new TypeError('loadStateDict: argument module must be a Module');
  const file = readSafetensors(path);
  const fail = (why: string): never => {
    throw new FathomError(`loadStateDict: ${path}: ${why}`, 'IO');
  };
  const checkpoint = file.metadata.format === CHECKPOINT_FORMAT;
  const entries = new Map<string, StTensor>();
  for (const [key, t] of file.tensors) {
    if (checkpoint && !key.startsWith(MODEL_PREFIX)) continue;
    const name = checkpoint ? key.slice(MODEL_PREFIX.length) : key;
    const a = t.data;
    for (let i = 0; i < a.length; i++) if (a[i]! - a[i]! !== 0) fail(`'${name}' holds ${a[i]} at element ${i} (nothing was assigned)`);
    entries.set(name, t);
  }
  const params = module.namedParameters();
  const { problems, missingKeys, unexpectedKeys } = stateDictProblems(params, entries, options?.strict ?? true);
  if (problems.length) fail(`it does not match the module (nothing was assigned): ${describeProblems(problems)}`);
  const own = new Set(params.map(([n]) => n));
  const values = new Map<string, Tensor>();
  try {
    for (const [name, t] of entries) if (own.has(name)) values.set(name, Tensor.from(t.data, t.shape));
    assignByName(params, values);
  } finally {
    for (const t of values.values()) t.dispose();
  }
  return { missingKeys, unexpectedKeys };
}
