import { Rng } from '../random/rng.js';
import { FathomError } from '../errors/FathomError.js';
import { readSafetensors } from '../io/readSafetensors.js';
import { GAT, type GATOptions } from '../models/GAT.js';
import { GCN, type GCNOptions } from '../models/GCN.js';
import { LinearGNN, type LinearGNNOptions } from '../models/LinearGNN.js';
import { ResGCN, type ResGCNOptions } from '../models/ResGCN.js';
import { SKP, type SKPOptions } from '../models/SKP.js';
import { Adam, type AdamOptions } from '../optim/Adam.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { SGD, type SGDOptions } from '../optim/SGD.js';
import { applyCheckpoint } from './applyCheckpoint.js';
import { parseJsonEntry, type CheckpointableModel, type CheckpointInfo } from './checkpointFormat.js';

/** Model builders by `model.name`; referenced lazily because GCN itself imports this module. */
const MODELS: Record<string, (config: object) => CheckpointableModel> = {
  gcn: (c) => GCN.fromConfig(c as GCNOptions),
  'res-gcn': (c) => new ResGCN(c as ResGCNOptions),
  gat: (c) => new GAT(c as GATOptions),
  skp: (c) => new SKP(c as SKPOptions),
  kp: (c) => new SKP(c as SKPOptions),
  'linear-gnn': (c) => new LinearGNN(c as LinearGNNOptions),
  'linear-gnn-skip': (c) => new LinearGNN(c as LinearGNNOptions),
};

const OPTIMIZERS: Record<string, (m: CheckpointableModel, hyper: object) => Optimizer> = {
  Adam: (m, h) => new Adam(m.parameters(), h as AdamOptions),
  SGD: (m, h) => new SGD(m.parameters(), h as SGDOptions),
};

export interface LoadedCheckpoint extends CheckpointInfo {
  model: CheckpointableModel;
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
  const build = name !== undefined ? MODELS[name] : undefined;
  if (!build) fail(`unknown model '${name}'`);
  const config = parseJsonEntry(file.metadata, 'model.config', fail) as object;
  let model: CheckpointableModel;
  try {
    model = build!(config);
  } catch (e) {
    return fail(`its model config is invalid (${(e as Error).message})`);
  }
  let optimizer: Optimizer | undefined;
  try {
    const o = parseJsonEntry(file.metadata, 'optimizer', fail, true) as { name: string; hyper: object } | undefined;
    if (o) {
      const make = OPTIMIZERS[o.name];
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
