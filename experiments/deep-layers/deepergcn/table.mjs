// Prints the per-seed markdown table of the JSON summaries run.sh wrote, and each group's mean.
// Usage: node experiments/deep-layers/deepergcn/table.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const runs = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, group: f.replace(/-s\d+\.json$/, ''), ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }))
  .sort((a, b) => a.group.localeCompare(b.group) || a.seed - b.seed);
const groups = [...new Set(runs.map((r) => r.group))];
for (const g of groups) {
  const rs = runs.filter((r) => r.group === g);
  console.log(`\n### ${g}\n`);
  console.log('| seed | epochs run | best epoch | train acc % | val acc % | test acc % | ms/epoch (train step, median) | peak RSS MB |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rs) {
    console.log(
      `| ${r.seed} | ${r.epochs_run} | ${r.best_epoch} | ${(100 * r.train_acc).toFixed(1)} | ${(100 * r.val_acc).toFixed(1)} | ${(100 * r.test_acc).toFixed(1)} | ${r.epoch_ms_median.toFixed(0)} | ${r.peak_rss_mb.toFixed(0)} |`,
    );
  }
  const mean = rs.reduce((s, r) => s + r.test_acc, 0) / rs.length;
  const sd = Math.sqrt(rs.reduce((s, r) => s + (r.test_acc - mean) ** 2, 0) / Math.max(1, rs.length - 1));
  console.log(`\nTest accuracy ${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)} % (mean ± sample sd over ${rs.length} seed${rs.length > 1 ? 's' : ''}).`);
}
