import type { LayerDiagnostics } from '../diagnostics/metrics.js';

/** Per-layer diagnostics of the model after `epoch` epochs (0 = at initialization). */
export interface DiagnosticsRecord {
  epoch: number;
  layers: LayerDiagnostics[];
}

/** What fit() reports after every epoch. */
export interface EpochReport {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  testAcc: number;
  /** Wall time of the training step (forward, backward, optimizer), ms. */
  stepMs: number;
  /** The learning rate of this epoch's step (see FitOptions.lrSchedule). */
  lr: number;
  bestEpoch: number;
  bestValAcc: number;
  /** Diagnostics records completed during this epoch (see FitOptions.diagnostics). */
  diagnostics?: DiagnosticsRecord[];
}
