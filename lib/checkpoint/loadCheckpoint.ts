import { Rng } from '../random/rng.js';
import { readSafetensors } from '../io/readSafetensors.js';
import type { NodeModel } from '../models/NodeModel.js';
import { findModel, rebuildModel } from '../models/registry.js';
import { withParameterBudget } from '../nn/parameterBudget.js';
import { Adam, type AdamOptions } from '../optim/Adam.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { SGD, type SGDOptions } from '../optim/SGD.js';
import { applyCheckpoint } from './applyCheckpoint.js';
import type { CheckpointableModel, CheckpointInfo } from './checkpointFormat.js';
import { checkpointError, parseCheckpoint } from './parseCheckpoint.js';

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
 * disposes) the model and optimizer. The file is parsed and bounded first, and the model is
 * built within the parameters the file holds, so a config that disagrees with the weights
 * fails fast. A file of a model without config() holds weights only: build the model and use
 * restoreCheckpoint or loadStateDict.
 *
 * @throws FathomError 'IO' for a malformed file or an unknown model or optimizer.
 * @example
 * const { model, optimizer, epoch } = loadCheckpoint('ckpt/epoch-000010.safetensors');
 */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  const ckpt = parseCheckpoint(readSafetensors(path), path);
  const fail = (why: string): never => {
    throw checkpointError(path, why);
  };
  const name = ckpt.modelName;
  if (ckpt.modelConfig === null) {
    fail(
      `it holds weights only (model '${name ?? 'unnamed'}' has no config() to rebuild it from): build the model yourself, then ` +
        'restoreCheckpoint(path, { model, optimizer }) or loadStateDict(path, model)',
    );
  }
  if (name === null || !findModel(name)) fail(`unknown model ${JSON.stringify(name)}`);
  let make: ((m: CheckpointableModel, hyper: object) => Optimizer) | undefined;
  if (ckpt.optimizer) make = OPTIMIZERS.get(ckpt.optimizer.name) ?? fail(`unknown optimizer '${ckpt.optimizer.name}'`);
  let scalars = 0;
  for (const t of ckpt.weights.values()) scalars += t.data.length;
  let model: NodeModel;
  try {
    model = withParameterBudget({ scalars, tensors: ckpt.weights.size, source: path }, () => rebuildModel(name!, ckpt.modelConfig));
  } catch (e) {
    return fail(`its model config is invalid (${(e as Error).message})`);
  }
  let optimizer: Optimizer | undefined;
  try {
    if (make) {
      try {
        optimizer = make(model, ckpt.optimizer!.hyper);
      } catch (e) {
        fail(`its optimizer hyperparameters are invalid (${(e as Error).message})`);
      }
    }
    const info = applyCheckpoint(ckpt, model, optimizer);
    const rng = info.rngState ? new Rng(1) : undefined;
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
