import { loadDataset } from '../data/loadDataset.js';
import { DiagnosticsRecorder } from '../diagnostics/DiagnosticsRecorder.js';
import { diagnoseModel } from '../diagnostics/diagnoseModel.js';
import type { DiagnosticMetric } from '../diagnostics/metrics.js';
import { resolveMetrics } from '../diagnostics/metrics.js';
import { resolveDevice } from '../runtime/devices.js';
import type { Device } from '../tensor/dtype.js';
import { fit, type DiagnosticsRecord } from '../train/fit.js';
import { NodeData } from '../data/NodeData.js';
import type { ModelSpec } from '../models/modelEntry.js';
import { buildModel, resolveSpec, validateModelSpec } from '../models/registry.js';
import { runSetting, type RunSetting } from './runSummary.js';
import { modelSpec, trainingRates } from './trainJob.js';

/** Everything `fathom diagnose` takes: the model (as `fathom train`) and the optional training. */
export interface DiagnoseJobOptions extends ModelSpec {
  dataset: string;
  device: Device | 'auto';
  normalizeFeatures: boolean;
  /** Train this many epochs (Adam, no early stopping) and diagnose again; 0: init only. */
  epochs: number;
  /** Default: the model's own, else 0.01. */
  lr?: number;
  /** Default: the model's own, else 5e-4. */
  weightDecay?: number;
  /** Default: every metric. */
  metrics?: readonly DiagnosticMetric[];
}

/** The JSON `fathom diagnose --json` writes: the run's settings (with feature source and provenance) and one record per diagnosis. */
export interface DiagnoseSummary extends RunSetting {
  /** Epoch 0 (initialization) and, with epochs > 0, the trained model. */
  records: DiagnosticsRecord[];
}

/**
 * Loads a dataset, builds the model, diagnoses it at initialization and, with `epochs`, after
 * training: what `fathom diagnose` runs, callable from code and tests. Diagnoses are single
 * forward/backward passes of the training loss in evaluation mode (no dropout); relativeChange
 * and gatBalanceDrift compare with the initialization.
 *
 * @example
 * const s = await runDiagnoseJob({ dataset: 'cora', model: 'res-gcn', layers: 64, hidden: 64, seed: 0, device: 'cpu', normalizeFeatures: true, epochs: 0, lr: 0.01, weightDecay: 5e-4 });
 */
export async function runDiagnoseJob(options: DiagnoseJobOptions): Promise<DiagnoseSummary> {
  const spec = resolveSpec(modelSpec(options));
  validateModelSpec(spec);
  resolveMetrics('diagnose', '--metrics', options.metrics);
  const device = resolveDevice(options.device);
  const ds = loadDataset(options.dataset, { normalizeFeatures: options.normalizeFeatures });
  using data = NodeData.from(ds, { device });
  using model = buildModel(spec, { inChannels: ds.numFeatures, outChannels: ds.numClasses, device });
  using recorder = new DiagnosticsRecorder(model, data, { metrics: options.metrics });
  const records: DiagnosticsRecord[] = [{ epoch: 0, layers: diagnoseModel(model, data, { recorder }) }];
  if (options.epochs > 0) {
    await fit(model, data, { epochs: options.epochs, ...trainingRates(options), patience: 0, restoreBest: false });
    records.push({ epoch: options.epochs, layers: diagnoseModel(model, data, { recorder }) });
  }
  return { ...runSetting(ds, spec, device), records };
}
