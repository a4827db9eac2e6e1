// Learning-rate schedules with PyTorch's formulas (torch.optim.lr_scheduler): StepLR and
// CosineAnnealingLR in closed form, ReduceLROnPlateau as its state machine. Plain numbers, no
// optimizer: fit()'s LrScheduler callback applies them.

/** StepLR: lr = base · gamma^⌊t / stepSize⌋ after t epochs. */
export interface StepSchedule {
  type: 'step';
  /** Epochs between decays (a positive integer). */
  stepSize: number;
  /** Decay factor, in (0, 1] (default 0.1, as PyTorch). */
  gamma?: number;
}

/** CosineAnnealingLR: lr = etaMin + (base − etaMin)(1 + cos(π t / tMax)) / 2 after t epochs. */
export interface CosineSchedule {
  type: 'cosine';
  /** Half period in epochs (default: fit's `epochs`). */
  tMax?: number;
  /** The lowest learning rate (default 0). */
  etaMin?: number;
}

/**
 * ReduceLROnPlateau: lr ← max(lr · factor, minLr) once the monitored value has not improved
 * (relative threshold) for more than `patience` epochs, then `cooldown` epochs of rest.
 */
export interface PlateauSchedule {
  type: 'plateau';
  /** Multiplier at each reduction, in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before a reduction (default 10). */
  patience?: number;
  /** Floor of the learning rate (default 0). */
  minLr?: number;
  /** What is watched: the validation loss (mode 'min', default) or accuracy (mode 'max'). */
  monitor?: 'valLoss' | 'valAcc';
  /** Relative improvement that counts as one (default 1e-4). */
  threshold?: number;
  /** Epochs after a reduction during which bad epochs are not counted (default 0). */
  cooldown?: number;
}

export type LrSchedule = StepSchedule | CosineSchedule | PlateauSchedule;

/** The learning rate of StepLR after `t` finished epochs. */
export function stepLr(base: number, t: number, stepSize: number, gamma: number): number {
  return base * gamma ** Math.floor(t / stepSize);
}

/** The learning rate of CosineAnnealingLR after `t` finished epochs. */
export function cosineLr(base: number, t: number, tMax: number, etaMin: number): number {
  return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2;
}

/** ReduceLROnPlateau's state: JSON-safe, so checkpoints carry it (best is null before the first value). */
export interface PlateauState {
  lr: number;
  best: number | null;
  numBadEpochs: number;
  cooldownCounter: number;
}

// PyTorch skips a reduction smaller than this (ReduceLROnPlateau's eps).
const EPS = 1e-8;

/**
 * One ReduceLROnPlateau step (PyTorch's `step(metrics)`): the state after an epoch whose
 * monitored value was `value`.
 *
 * @example
 * let s = { lr: 0.01, best: null, numBadEpochs: 0, cooldownCounter: 0 };
 * for (const loss of valLosses) s = plateauStep(s, loss, { type: 'plateau', patience: 5 });
 */
export function plateauStep(state: PlateauState, value: number, o: PlateauSchedule): PlateauState {
  const { factor = 0.1, patience = 10, minLr = 0, threshold = 1e-4, cooldown = 0 } = o;
  const max = o.monitor === 'valAcc';
  let { lr, best, numBadEpochs, cooldownCounter } = state;
  const better = best === null || (max ? value > best * (1 + threshold) : value < best * (1 - threshold));
  if (better) {
    best = value;
    numBadEpochs = 0;
  } else numBadEpochs++;
  if (cooldownCounter > 0) {
    cooldownCounter--;
    numBadEpochs = 0;
  }
  if (numBadEpochs > patience) {
    const next = Math.max(lr * factor, minLr);
    if (lr - next > EPS) lr = next;
    cooldownCounter = cooldown;
    numBadEpochs = 0;
  }
  return { lr, best, numBadEpochs, cooldownCounter };
}
