import type { Rng } from '../random/rng.js';
import type { StTensorInput } from '../io/encodeSafetensors.js';
import type { StArray } from '../io/safetensorsFormat.js';
import { atomicWriteFile } from '../io/atomicWriteFile.js';
import { encodeSafetensors } from '../io/encodeSafetensors.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { CHECKPOINT_FORMAT, configOf, isModule, MAX_EPOCH, MODEL_PREFIX, nameOf, OPTIMIZER_PREFIX, type CheckpointableModel } from './checkpointFormat.js';

export interface CheckpointContents {
  model: CheckpointableModel;
  optimizer?: Optimizer;
  rng?: Rng;
  epoch?: number;
  metrics?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** The state of fit()'s stateful callbacks (a learning-rate schedule), by name; JSON. */
  callbackState?: Record<string, unknown>;
}

/**
 * Saves a training state to one safetensors file, atomically (a crash mid-write leaves the
 * previous file intact): the model's parameters by name (its state dict), its architecture
 * config when it records one (every built-in model; any other Module is stored as weights,
 * restored into an instance with restoreCheckpoint), its dropout stream, the optimizer's hyperparameters, step count and per-parameter state, an optional
 * Rng, the epoch, metrics and run config. Values are copied bit for bit, so loading and
 * training on continues exactly as an uninterrupted run.
 *
 * @example
 * saveCheckpoint('ckpt/epoch-10.safetensors', { model, optimizer, epoch: 10, metrics: { valAcc: 0.8 } });
 */
export function saveCheckpoint(path: string, contents: CheckpointContents): void {
  if (typeof path !== 'string') throw new TypeError('saveCheckpoint: path must be a string');
  atomicWriteFile(path, encodeCheckpoint(contents));
}

/**
 * The bytes saveCheckpoint() writes (a safetensors file), in memory: data-parallel training sends
 * them from rank 0 to the others, which read them with parseCheckpoint(decodeSafetensors(bytes)).
 *
 * @example
 * const bytes = encodeCheckpoint({ model, optimizer, epoch: 3 });
 */
export function encodeCheckpoint(contents: CheckpointContents): Buffer {
  const { model, optimizer, rng } = contents ?? ({} as CheckpointContents);
  if (!isModule(model)) throw new TypeError('saveCheckpoint: contents.model must be a Module (a model with namedParameters())');
  const epoch = contents.epoch ?? 0;
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH)
    throw new RangeError(`saveCheckpoint: epoch must be an integer in [0, ${MAX_EPOCH}], got ${epoch}`);
  const config = configOf(model);
  const tensors: Record<string, StTensorInput> = {};
  const params = model.namedParameters();
  for (const [name, p] of params) tensors[MODEL_PREFIX + name] = { data: p.toArray() as StArray, shape: p.shape };
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    'model.name': nameOf(model),
    epoch: String(epoch),
    metrics: JSON.stringify(contents.metrics ?? {}),
    config: JSON.stringify(contents.config ?? {}),
  };
  if (contents.callbackState) metadata.callbacks = JSON.stringify(contents.callbackState);
  if (config) metadata['model.config'] = JSON.stringify(config);
  if (model.rngState) metadata['model.rng'] = JSON.stringify(model.rngState);
  if (rng) metadata.rng = JSON.stringify(rng.getState());
  if (optimizer) {
    const state = optimizer.exportState();
    // Slots are stored by parameter index; record which model parameter each index is, so
    // loading can check the optimizer was built over the same parameters in the same order.
    const names = new Map(params.map(([n, p]) => [p, n]));
    const order = optimizer.parameterList.map((p) => names.get(p) ?? null);
    if (order.includes(null)) throw new RangeError("saveCheckpoint: the optimizer holds parameters that are not the model's");
    const present: string[][] = [];
    state.slots.forEach((slot, i) => {
      present.push(slot ? Object.keys(slot).sort() : []);
      for (const [k, t] of Object.entries(slot ?? {})) tensors[`${OPTIMIZER_PREFIX}${i}/${k}`] = { data: t.toArray() as StArray, shape: t.shape };
    });
    metadata.optimizer = JSON.stringify({ name: state.name, hyper: state.hyper, stepCount: state.stepCount, params: order, slots: present });
  }
  return encodeSafetensors(tensors, metadata);
}
