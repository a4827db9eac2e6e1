// Prints a markdown table of experiments/gat-balance/results/*.json (complete and partial runs).
// Usage: node experiments/gat-balance/summarize.mjs [results-dir]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'results');
const rows = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
  .sort((a, b) => a.optimizer.localeCompare(b.optimizer) || a.depth - b.depth || a.init.localeCompare(b.init));
const pct = (v) => (100 * v).toFixed(1);
console.log(
  '| optimizer | lr | depth | init | epochs run | best-val epoch | train acc @best | val acc @best | test acc @best | max train acc | first 100% train epoch | s/epoch |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const epochs = r.partial ? `${r.epochsSoFar} of ${r.maxEpochs} (cut short)` : `${r.epochs}`;
  const n = r.partial ? r.epochsSoFar : r.epochs;
  console.log(
    `| ${r.optimizer} | ${r.lr} | ${r.depth} | ${r.init} | ${epochs} | ${r.bestEpoch} | ${pct(r.best.trainAcc)} | ${pct(r.best.valAcc)} | ${pct(r.best.testAcc)} | ${pct(r.maxTrainAcc)} | ${r.firstPerfectTrainEpoch ?? '—'} | ${(r.wallS / n).toFixed(2)} |`,
  );
}
