import { FathomError } from '../errors/FathomError.js';
import type { StFile } from '../io/safetensorsFormat.js';
import type { Optimizer, OptimizerState } from '../optim/Optimizer.js';
import { Tensor } from '../tensor/Tensor.js';
import type { RngState } from '../random/rng.js';
import { CHECKPOINT_FORMAT, MODEL_PREFIX, OPTIMIZER_PREFIX, parseJsonEntry, type CheckpointableModel, type CheckpointInfo } from './checkpointFormat.js';

/**
 * Copies a parsed checkpoint into an existing model (and optimizer): every parameter must
 * be present with the same shape and dtype, and nothing else may be. Checks everything
 * before changing anything, so a mismatched file leaves the model untouched.
 */
export function applyCheckpoint(file: StFile, source: string, model: CheckpointableModel, optimizer?: Optimizer): CheckpointInfo {
  const fail = (why: string): never => {
    throw new FathomError(`${source}: not a usable checkpoint: ${why}`, 'IO');
  };
  const meta = file.metadata;
  if (meta.format !== CHECKPOINT_FORMAT) fail(`format is ${JSON.stringify(meta.format)}, expected '${CHECKPOINT_FORMAT}'`);
  const params = model.namedParameters();
  const modelKeys = [...file.tensors.keys()].filter((k) => k.startsWith(MODEL_PREFIX));
  if (modelKeys.length !== params.length) fail(`it holds ${modelKeys.length} parameters, the model has ${params.length}`);
  for (const [name, p] of params) {
    const t = file.tensors.get(MODEL_PREFIX + name);
    if (!t) fail(`parameter '${name}' is missing`);
    if (t!.dtype.toLowerCase() !== p.dtype || t!.shape.join() !== p.shape.join()) {
      fail(`parameter '${name}' is ${t!.dtype.toLowerCase()}[${t!.shape.join(', ')}], the model's is ${p.describe()}`);
    }
  }
  const epoch = Number(meta.epoch ?? '0');
  if (!Number.isSafeInteger(epoch) || epoch < 0) fail(`epoch '${meta.epoch}' is not a non-negative integer`);
  const metrics = (parseJsonEntry(meta, 'metrics', fail, true) ?? {}) as Record<string, unknown>;
  const config = (parseJsonEntry(meta, 'config', fail, true) ?? {}) as Record<string, unknown>;
  const rngState = (parseJsonEntry(meta, 'rng', fail, true) ?? null) as RngState | null;
  const callbackState = (parseJsonEntry(meta, 'callbacks', fail, true) ?? {}) as Record<string, unknown>;
  const modelRng = parseJsonEntry(meta, 'model.rng', fail, true) as RngState | undefined;
  const optState = optimizer ? optimizerState(file, meta, fail, optimizer) : undefined;
  try {
    for (const [name, p] of params) {
      const t = file.tensors.get(MODEL_PREFIX + name)!;
      using host = Tensor.from(t.data, t.shape);
      if (p.device === 'cpu') p.assign(host);
      else {
        using dev = host.to(p.device);
        p.assign(dev);
      }
    }
    if (modelRng && model.setRngState) model.setRngState(modelRng);
    if (optimizer && optState) optimizer.importState(optState);
  } finally {
    for (const slot of optState?.slots ?? []) for (const t of Object.values(slot ?? {})) t.dispose();
  }
  return { epoch, metrics, config, rngState, callbackState };
}

function optimizerState(file: StFile, meta: Record<string, string>, fail: (why: string) => never, optimizer: Optimizer): OptimizerState {
  const o = parseJsonEntry(meta, 'optimizer', fail) as { name: string; hyper: OptimizerState['hyper']; stepCount: number; slots: string[][] };
  if (o?.name !== optimizer.name) fail(`it holds ${o?.name ?? 'no'} optimizer state, the optimizer is ${optimizer.name}`);
  if (!Array.isArray(o.slots) || o.slots.length !== optimizer.parameterList.length) fail('its optimizer state has the wrong number of parameters');
  const slots: OptimizerState['slots'] = [];
  try {
    o.slots.forEach((names, i) => {
      if (!Array.isArray(names) || names.length === 0) return void slots.push(null);
      const slot: Record<string, Tensor> = {};
      slots.push(slot);
      for (const k of names) {
        const t = file.tensors.get(`${OPTIMIZER_PREFIX}${i}/${k}`);
        if (!t) fail(`optimizer tensor ${i}/${k} is missing`);
        const dev = optimizer.parameterList[i]!.device;
        const host = Tensor.from(t!.data, t!.shape);
        if (dev === 'cpu') slot[k] = host;
        else {
          slot[k] = host.to(dev);
          host.dispose();
        }
      }
    });
  } catch (e) {
    for (const slot of slots) for (const t of Object.values(slot ?? {})) t.dispose();
    throw e;
  }
  return { name: o.name, hyper: o.hyper, stepCount: o.stepCount, slots };
}
