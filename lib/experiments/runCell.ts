import { buildModel } from '../cli/modelFactory.js';
import { buildOptimizer } from '../cli/trainJob.js';
import { linearRate } from '../diagnostics/linearRate.js';
import { LinearGNN } from '../models/LinearGNN.js';
import type { Device } from '../tensor/dtype.js';
import { fit, type EpochReport, type FitOptions, type FitResult } from '../train/fit.js';
import type { NodeData } from '../train/NodeData.js';
import type { CellMetrics, CellRecord, DiagnosticsSnapshot, EpochRow } from './cellRecord.js';
import type { SweepCell } from './sweepCells.js';
import type { SweepConfig } from './sweepConfig.js';

/** The diagnostics part of fit()'s options and result (see lib/diagnostics). */
type DiagnosticFitOptions = FitOptions & { diagnostics?: { every: number; metrics?: string[] } };
type DiagnosticFitResult = FitResult & { diagnostics?: DiagnosticsSnapshot[] };

export interface CellHooks {
  onEpoch?: (r: EpochReport) => void;
  signal?: AbortSignal;
  /** Per-layer diagnostics of the untrained model (epoch 0), when the config asks for them. */
  diagnoseAtInit?: (cell: SweepCell, model: ReturnType<typeof buildModel>, data: NodeData) => DiagnosticsSnapshot | null;
}

/**
 * Trains one cell of a sweep and returns its record. A cell whose training fails (a non-finite
 * loss, a model error) comes back with status 'failed' and the epochs it ran; cancellation
 * (the signal) is rethrown, so an interrupted cell is never recorded. Invalid cells need no data.
 *
 * @example
 * const record = await runCell(cells[0], config, data, 'cpu');
 */
export async function runCell(cell: SweepCell, config: SweepConfig, data: NodeData | null, device: Device, hooks: CellHooks = {}): Promise<CellRecord> {
  const t0 = performance.now();
  const history: EpochRow[] = [];
  const steps: number[] = [];
  const base = { id: cell.id, params: cell.params, history, diagnostics: [] as DiagnosticsSnapshot[] };
  if (cell.invalid) return { ...base, status: 'invalid', error: cell.invalid, epochsRun: 0, wallMs: 0, stepMsMedian: null, finishedAt: new Date().toISOString() };
  if (!data) throw new TypeError(`runCell: cell ${cell.id} needs its dataset`);
  let record: CellRecord;
  try {
    using model = buildModel(cell.spec, data.x.shape[1], data.numClasses, device);
    using optimizer = buildOptimizer(config, model);
    const initial = config.diagnostics?.atInit ? hooks.diagnoseAtInit?.(cell, model, data) : null;
    const rate = config.linearRate && model instanceof LinearGNN ? linearRate(model, data.x, data.graph, data.masks.train) : undefined;
    const options: DiagnosticFitOptions = {
      epochs: config.epochs, optimizer, patience: config.patience, signal: hooks.signal,
      checkFinite: config.checkFinite ? { every: 1 } : undefined,
      diagnostics: config.diagnostics ? { every: config.diagnostics.every, metrics: config.diagnostics.metrics } : undefined,
      onEpoch: (r) => {
        history.push(epochRow(r));
        steps.push(r.stepMs);
        hooks.onEpoch?.(r);
      },
    };
    const result = (await fit(model, data, options)) as DiagnosticFitResult;
    const diagnostics = [...(initial ? [initial] : []), ...(result.diagnostics ?? []).filter((d) => !initial || d.epoch !== initial.epoch)];
    record = {
      ...base, status: 'ok', epochsRun: result.epochsRun, final: metrics(result.last), best: metrics(result.best), diagnostics,
      linearRate: rate && { kappa: rate.kappa, sigma2: rate.sigma2, lambda: rate.lambda, rank: rate.rank },
      wallMs: 0, stepMsMedian: null, finishedAt: '',
    };
  } catch (e) {
    if (hooks.signal?.aborted) throw e;
    const last = history.at(-1);
    record = {
      ...base, status: 'failed', error: e instanceof Error ? e.message : String(e), epochsRun: history.length,
      final: last && { ...last }, wallMs: 0, stepMsMedian: null, finishedAt: '',
    };
  }
  record.wallMs = performance.now() - t0;
  record.stepMsMedian = median(steps);
  record.finishedAt = new Date().toISOString();
  return record;
}

function epochRow(r: EpochReport): EpochRow {
  return { epoch: r.epoch, trainLoss: Number.isFinite(r.trainLoss) ? r.trainLoss : null, trainAcc: r.trainAcc, valAcc: r.valAcc, testAcc: r.testAcc };
}

function metrics(r: EpochReport): CellMetrics {
  return epochRow(r);
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}
