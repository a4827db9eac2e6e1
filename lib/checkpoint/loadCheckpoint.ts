import { Rng } from '../random/rng.js';
import { FathomError } from '../errors/FathomError.js';
import { readSafetensors } from '../io/readSafetensors.js';
import type { NodeModel } from '../models/NodeModel.js';
import { findModel, rebuildModel } from '../models/registry.js';
import { Adam, type AdamOptions } from '../optim/Adam.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { SGD, type SGDOptions } from '../optim/SGD.js';
import { applyCheckpoint } from './applyCheckpoint.js';
import { parseJsonEntry, type CheckpointableModel, type CheckpointInfo } from './checkpointFormat.js';

// A Map: a name such as 'constructor' or '__proto__' finds nothing.
const OPTIMIZERS = new Map<string, (m: CheckpointableModel, hyper: object) => Optimizer>([
  ['Adam', (m, h) => new Adam(m.parameters(), h as AdamOptions)],
  ['SGD', (m, h) => new SGD(m.parameters(), h as SGDOptions)],
]);

export interface LoadedCheckpoint extends CheckpointInfo {
  model: NodeModel;
  /** The optimizer rebuilt with its saved hyperparameters and state, when one was saved. */
  optimizer?: Optimizer;
  /** A caller's Rng saved with the checkpoint, restored. */
  rng?: Rng;
}

/**
 * Rebuilds everything a checkpoint holds: the model from its config with the saved
 * weights and dropout state, the optimizer with its state, the Rng. The caller owns (and
 * disposes) the model and optimizer.
 *
 * @throws FathomError 'IO' for a malformed file or an unknown model or optimizer.
 * @example
 * const { model, optimizer, epoch } = loadCheckpoint('ckpt/epoch-000010.safetensors');
 */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  const file = readSafetensors(path);
  const fail = (why: string): never => {
    throw new FathomError(`${path}: not a usable checkpoint: ${why}`, 'IO');
  };
  const name = file.metadata['model.name'];
  if (name === undefined || !findModel(name)) fail(`unknown model '${name}'`);
  const config = parseJsonEntry(file.metadata, 'model.config', fail) as object;
  let model: NodeModel;
  try {
    model = rebuildModel(name!, config);
  } catch (e) {
    return fail(`its model config is invalid (${(e as Error).message})`);
  }
  let optimizer: Optimizer | undefined;
  try {
    const o = parseJsonEntry(file.metadata, 'optimizer', fail, true) as { name: string; hyper: object } | undefined;
    if (o) {
      const make = OPTIMIZERS.get(o.name);
      if (!make) fail(`unknown optimizer '${o.name}'`);
      optimizer = make!(model, o.hyper);
    }
    const info = applyCheckpoint(file, path, model, optimizer);
    const rng = info.rngState ? new Rng(0) : undefined;
    rng?.setState(info.rngState!);
    return { ...info, model, optimizer, rng };
  } catch (e) {
    optimizer?.dispose();
    model.dispose();
    throw e;
  }
}

/**
 * The model a checkpoint holds, rebuilt from its config with the saved weights and dropout
 * state (any optimizer state in the file is ignored). With `expect`, a file holding another
 * class is refused.
 *
 * @example
 * using model = loadModel('gcn.safetensors', GCN);
 */
export function loadModel<M extends NodeModel = NodeModel>(path: string, expect?: abstract new (...args: never[]) => M): M {
  const ckpt = loadCheckpoint(path);
  ckpt.optimizer?.dispose();
  if (expect && !(ckpt.model instanceof expect)) {
    ckpt.model.dispose();
    throw new RangeError(`loadModel: ${path} holds a '${ckpt.model.name}' model, not a ${expect.name}`);
  }
  return ckpt.model as M;
}
