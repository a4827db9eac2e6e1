import type { CellRecord } from './cellRecord.js';

const PARAMS = ['dataset', 'method', 'model', 'depth', 'seed', 'init', 'residual', 'aggT', 'norm', 'skip'] as const;

/** The columns of summary.csv, in order. */
export function summaryColumns(lossEpochs: readonly number[] = []): string[] {
  return [
    'id',
    ...PARAMS,
    'feature_source',
    'status',
    'epochs_run',
    'final_train_loss',
    'final_train_acc',
    'final_val_acc',
    'final_test_acc',
    'best_epoch',
    'best_val_acc',
    'best_test_acc',
    'epochs_to_fit',
    ...lossEpochs.map((e) => `train_loss_at_${e}`),
    'kappa_init',
    'wall_s',
    'step_ms_median',
    'error',
  ];
}

/** One summary row per record, as strings keyed by column (empty where a value is missing). */
export function summaryRow(r: CellRecord, lossEpochs: readonly number[] = []): Record<string, string> {
  const p = r.params as unknown as Record<string, unknown>;
  const row: Record<string, unknown> = { id: r.id };
  for (const k of PARAMS) row[k] = p[k];
  Object.assign(row, {
    // Empty for cells written before it was recorded.
    feature_source: r.featureSource,
    status: r.status,
    epochs_run: r.epochsRun,
    final_train_loss: r.final?.trainLoss,
    final_train_acc: r.final?.trainAcc,
    final_val_acc: r.final?.valAcc,
    final_test_acc: r.final?.testAcc,
    // The first epoch with training accuracy ≥ 0.99: how fast the cell fits its training set.
    epochs_to_fit: r.history.find((h) => h.trainAcc >= 0.99)?.epoch,
    best_epoch: r.best?.epoch,
    best_val_acc: r.best?.valAcc,
    best_test_acc: r.best?.testAcc,
    // κ is model-level (every row holds it); the first record is the one at initialization.
    kappa_init: r.diagnostics?.[0]?.layers[0]?.kappa,
    wall_s: r.wallMs / 1000,
    step_ms_median: r.stepMsMedian,
    error: r.error,
  });
  for (const e of lossEpochs) row[`train_loss_at_${e}`] = r.history.find((h) => h.epoch === e)?.trainLoss;
  const out: Record<string, string> = {};
  for (const c of summaryColumns(lossEpochs)) out[c] = row[c] === undefined || row[c] === null ? '' : String(row[c]);
  return out;
}

/**
 * summary.csv: one row per cell (RFC 4180 quoting), the parameters, the feature source, status, final and best
 * metrics, and the training loss at `lossEpochs`.
 *
 * @example
 * writeFileSync('results/summary.csv', summaryCsv(readCells('results/cells.jsonl').records));
 */
export function summaryCsv(records: readonly CellRecord[], lossEpochs: readonly number[] = []): string {
  const cols = summaryColumns(lossEpochs);
  const lines = [cols.join(',')];
  for (const r of records) {
    const row = summaryRow(r, lossEpochs);
    lines.push(cols.map((c) => quote(row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function quote(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
