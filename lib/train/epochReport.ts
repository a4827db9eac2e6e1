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
  /** ROC-AUC of every split (class 1 positive), with FitOptions.metric 'roc-auc' only. */
  trainAuc?: number;
  valAuc?: number;
  testAuc?: number;
  bestEpoch: number;
  /** The validation accuracy of the best epoch (the one FitOptions.metric picks). */
  bestValAcc: number;
  /** The validation ROC-AUC of the best epoch, with FitOptions.metric 'roc-auc' only. */
  bestValAuc?: number;
  /** Diagnostics records completed during this epoch (see FitOptions.diagnostics). */
  diagnostics?: DiagnosticsRecord[];
}
