import type { RngState } from '../random/rng.js';
import type { Parameter } from '../nn/Parameter.js';

/** Marks a safetensors file as a Fathom checkpoint, and its layout version. */
export const CHECKPOINT_FORMAT = 'fathom-checkpoint/1';

/** Tensor-name prefixes: model parameters by dotted name, optimizer slots by parameter index. */
export const MODEL_PREFIX = 'model/';
export const OPTIMIZER_PREFIX = 'optimizer/';

/** The largest epoch and optimizer step count a checkpoint may name (far past any run). */
export const MAX_EPOCH = 1_000_000_000;
export const MAX_STEP_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * A model a checkpoint can hold: named parameters and maybe a dropout stream. Any Module is
 * one; a model whose config() records its architecture (every built-in NodeModel) can also be
 * rebuilt from the file alone. Structural, so that checkpoint code needs nothing from the models.
 */
export interface CheckpointableModel extends Disposable {
  readonly name?: string;
  config?(): object;
  namedParameters(): [string, Parameter][];
  parameters(): Parameter[];
  readonly rngState?: RngState;
  setRngState?(state: RngState): void;
  dispose(): void;
}

/** What a checkpoint holds besides tensors (all JSON, stored in `__metadata__`). */
export interface CheckpointInfo {
  /** The epoch the checkpoint was taken after (0 when not set). */
  epoch: number;
  /** Free-form metrics, e.g. fit()'s best and last epoch reports. */
  metrics: Record<string, unknown>;
  /** Free-form run configuration (hyperparameters, dataset, ...). */
  config: Record<string, unknown>;
  /** State of a caller's Rng passed to saveCheckpoint, if any. */
  rngState: RngState | null;
  /** The state of fit()'s stateful callbacks (a learning-rate schedule), by name; empty if none. */
  callbackState: Record<string, unknown>;
}

/** Whether `model` has named parameters: what saving and restoring weights needs. */
export function isModule(model: unknown): model is CheckpointableModel {
  const m = model as Partial<CheckpointableModel> | null;
  return typeof m === 'object' && m !== null && typeof m.namedParameters === 'function' && typeof m.parameters === 'function';
}

/** The architecture config of a model that records one, else null (the file then holds weights only). */
export function configOf(model: CheckpointableModel): object | null {
  if (typeof model.config !== 'function') return null;
  try {
    return model.config();
  } catch {
    return null;
  }
}

/** A name for the model in messages and `model.name`: its own, else its class's. */
export function nameOf(model: CheckpointableModel): string {
  return typeof model.name === 'string' && model.name !== '' ? model.name : (model.constructor?.name ?? 'model');
}

/** Parses a JSON metadata entry, turning any defect into the caller's error. */
export function parseJsonEntry(meta: Record<string, string>, key: string, fail: (why: string) => never, optional = false): unknown {
  const text = meta[key];
  if (text === undefined) {
    if (optional) return undefined;
    fail(`metadata '${key}' is missing`);
  }
  try {
    return JSON.parse(text!);
  } catch {
    return fail(`metadata '${key}' is not JSON`);
  }
}
