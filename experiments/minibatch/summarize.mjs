// Prints one line per mode: mean ± sd test accuracy over the seeds (test ROC-AUC for runs with
// --metric roc-auc), each seed's figure, best epochs and the median step time (the whole epoch
// of batches for the sampled mode).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, 'results');
const rows = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ mode: f.replace(/-\d+\.json$/, ''), ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
for (const mode of [...new Set(rows.map((r) => r.mode))].sort()) {
  const rs = rows.filter((r) => r.mode === mode).sort((a, b) => a.seed - b.seed);
  const auc = rs.every((r) => typeof r.test_auc === 'number');
  const acc = rs.map((r) => 100 * (auc ? r.test_auc : r.test_acc));
  const mean = acc.reduce((a, b) => a + b, 0) / acc.length;
  const sd = Math.sqrt(acc.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, acc.length - 1));
  console.log(
    `${mode}: ${mean.toFixed(2)} ± ${sd.toFixed(2)}${auc ? ' test ROC-AUC' : '% test'} (${acc.map((a) => a.toFixed(2)).join(' / ')}); ` +
      `best epochs ${rs.map((r) => r.best_epoch).join(' / ')}; val ${rs.map((r) => (100 * (auc ? r.val_auc : r.val_acc)).toFixed(2)).join(' / ')}; ` +
      `${auc ? `test acc ${rs.map((r) => (100 * r.test_acc).toFixed(1)).join(' / ')}; ` : ''}` +
      `median step ${rs.map((r) => r.epoch_ms_median.toFixed(1)).join(' / ')} ms`,
  );
}
