import type { RngState } from '../random/rng.js';
import type { Parameter } from '../nn/Parameter.js';

/** Marks a safetensors file as a Fathom checkpoint, and its layout version. */
export const CHECKPOINT_FORMAT = 'fathom-checkpoint/1';

/** Tensor-name prefixes: model parameters by dotted name, optimizer slots by parameter index. */
export const MODEL_PREFIX = 'model/';
export const OPTIMIZER_PREFIX = 'optimizer/';

/**
 * A model a checkpoint can hold: named parameters, a config that rebuilds its architecture, and
 * maybe a dropout stream. Every NodeModel is one (config() throws for one that records none);
 * structural, so that checkpoint code needs nothing from the models it stores.
 */
export interface CheckpointableModel extends Disposable {
  readonly name: string;
  config(): object;
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

export function isCheckpointable(model: unknown): model is CheckpointableModel {
  const m = model as Partial<CheckpointableModel> | null;
  if (typeof m !== 'object' || m === null || typeof m.config !== 'function' || typeof m.namedParameters !== 'function') return false;
  try {
    m.config();
    return true;
  } catch {
    return false;
  }
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
