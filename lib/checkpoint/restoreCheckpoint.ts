import { readSafetensors } from '../io/readSafetensors.js';
import type { Optimizer } from '../optim/Optimizer.js';
import { applyCheckpoint } from './applyCheckpoint.js';
import type { CheckpointableModel, CheckpointInfo } from './checkpointFormat.js';

/**
 * Loads a checkpoint into an existing model and optimizer (in place): the way to resume a
 * run whose objects already exist. Returns the epoch, metrics, config and Rng state.
 *
 * @throws FathomError 'IO' when the file is malformed or does not match the model.
 * @example
 * const { epoch } = restoreCheckpoint('ckpt/epoch-000010.safetensors', { model, optimizer });
 */
export function restoreCheckpoint(path: string, target: { model: CheckpointableModel; optimizer?: Optimizer }): CheckpointInfo {
  return applyCheckpoint(readSafetensors(path), path, target.model, target.optimizer);
}
