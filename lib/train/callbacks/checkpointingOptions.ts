// The options of the Checkpointing callback, apart from the class: FitOptions names them, and
// the callbacks module depends on FitOptions' types.

/** A checkpoint file fit() has just put in place. */
export interface CheckpointWrite {
  kind: 'best' | 'epoch';
  path: string;
  epoch: number;
}

export interface CheckpointingOptions {
  /** The folder (made when missing). */
  dir: string;
  /** Save every `every` epochs (default 1). */
  every?: number;
  /** Keep the newest `keep` periodic checkpoints (default 2). */
  keep?: number;
  /** Also save `best.safetensors` at every new best validation accuracy (default false). */
  best?: boolean;
  /** At fit start, continue from the newest valid checkpoint in `dir` (a fresh start if none). */
  resume?: boolean;
  /**
   * The run's configuration, stored in every checkpoint (CheckpointInfo.config): what a later
   * reader needs to prepare data as training did (`fathom train` records the dataset and its
   * feature normalization).
   */
  config?: Record<string, unknown>;
  /** Callbacks whose state the checkpoints carry and a resume restores, by name (fit()'s learning-rate schedule). */
  stateful?: Record<string, StatefulCallback>;
  /**
   * Where messages go: a damaged checkpoint set aside, the checkpoint resumed from after one, a
   * stale lock taken over, a repaired best.safetensors (default: process.emitWarning).
   */
  onWarning?: (message: string) => void;
  /** Called after each file is in place (best.safetensors first, then the epoch's checkpoint). */
  onWrite?: (write: CheckpointWrite) => void;
}

/** A callback with state that a checkpoint must hold for a bit-exact resume. */
export interface StatefulCallback {
  state(): unknown;
  loadState(state: unknown, source: string): void;
}
