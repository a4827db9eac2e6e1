import { buildModel } from '../models/registry.js';
import { buildOptimizer } from '../optim/buildOptimizer.js';
import type { Device } from '../tensor/dtype.js';
import { fit, type EpochReport } from '../train/fit.js';
import type { NodeData } from '../data/NodeData.js';
import type { CellMetrics, CellRecord, DiagnosticsSnapshot, EpochRow } from './cellRecord.js';
import type { SweepCell } from './sweepCells.js';
import type { SweepConfig } from './sweepConfig.js';

export interface CellHooks {
  onEpoch?: (r: EpochReport) => void;
  signal?: AbortSignal;
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
  if (cell.invalid)
    return { ...base, status: 'invalid', error: cell.invalid, epochsRun: 0, wallMs: 0, stepMsMedian: null, finishedAt: new Date().toISOString() };
  if (!data) throw new TypeError(`runCell: cell ${cell.id} needs its dataset`);
  let record: CellRecord;
  try {
    using model = buildModel(cell.spec, { inChannels: data.x.shape[1], outChannels: data.numClasses, device });
    using optimizer = buildOptimizer(config, model);
    const result = await fit(model, data, {
      epochs: config.epochs,
      optimizer,
      patience: config.patience,
      signal: hooks.signal,
      checkFinite: config.checkFinite ? { every: 1 } : false,
      // fit() records epoch 0 (initialization) and every `every` epochs after it.
      diagnostics: config.diagnostics ? { every: config.diagnostics.every, metrics: config.diagnostics.metrics } : undefined,
      onEpoch: (r) => {
        history.push(epochRow(r));
        // Kept as they come, so that a cell failing later still has the records before it.
        if (r.diagnostics) base.diagnostics.push(...r.diagnostics);
        steps.push(r.stepMs);
        hooks.onEpoch?.(r);
      },
    });
    record = {
      ...base,
      status: 'ok',
      epochsRun: result.epochsRun,
      final: metrics(result.last),
      best: metrics(result.best),
      diagnostics: result.diagnostics,
      wallMs: 0,
      stepMsMedian: null,
      finishedAt: '',
    };
  } catch (e) {
    if (hooks.signal?.aborted) throw e;
    const last = history.at(-1);
    record = {
      ...base,
      status: 'failed',
      error: e instanceof Error ? e.message : String(e),
      epochsRun: history.length,
      final: last && { ...last },
      wallMs: 0,
      stepMsMedian: null,
      finishedAt: '',
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
