import { readSafetensors } from '../io/readSafetensors.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { applyCheckpoint } from './applyCheckpoint.js';
import { isModule, type CheckpointableModel, type CheckpointInfo } from './checkpointFormat.js';
import { parseCheckpoint } from './parseCheckpoint.js';

/**
 * Loads a checkpoint into an existing model and optimizer (in place): the way to resume a
 * run whose objects already exist, and the way to load a file that holds weights only (a
 * model without config()). Returns the epoch, metrics, config and Rng state. The whole file is
 * parsed and checked against the model first: on any error the model, its dropout stream and
 * the optimizer are left exactly as they were.
 *
 * @throws FathomError 'IO' when the file is malformed or does not match the model.
 * @example
 * const { epoch } = restoreCheckpoint('ckpt/epoch-000010.safetensors', { model, optimizer });
 */
export function restoreCheckpoint(path: string, target: { model: CheckpointableModel; optimizer?: Optimizer }): CheckpointInfo {
  if (!isModule(target?.model)) throw new TypeError('restoreCheckpoint: target.model must be a Module (a model with namedParameters())');
  return applyCheckpoint(parseCheckpoint(readSafetensors(path), path), target.model, target.optimizer);
}
