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
  const epochs = r.partial ? `${r.epochsSoFar} of ${r.maxEpochs} (cut short)` : r.diverged ? `${r.epochs} of ${r.maxEpochs}, then loss NaN` : `${r.epochs}`;
  const n = r.partial ? r.epochsSoFar : r.epochs;
  console.log(
    `| ${r.optimizer} | ${r.lr} | ${r.depth} | ${r.init} | ${epochs} | ${r.bestEpoch} | ${pct(r.best.trainAcc)} | ${pct(r.best.valAcc)} | ${pct(r.best.testAcc)} | ${pct(r.maxTrainAcc)} | ${r.firstPerfectTrainEpoch ?? '—'} | ${(r.wallS / n).toFixed(2)} |`,
  );
}

// Mean ± sd over the seeds of each (optimizer, lr, depth, init) with more than one finished seed.
const groups = new Map();
for (const r of rows.filter((r) => !r.partial)) {
  const k = `${r.optimizer}|${r.lr}|${r.depth}|${r.init}`;
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(r);
}
const mean = (xs) => xs.reduce((a, v) => a + v, 0) / xs.length;
const sd = (xs) => Math.sqrt(xs.reduce((a, v) => a + (v - mean(xs)) ** 2, 0) / (xs.length - 1));
const pm = (xs) => `${pct(mean(xs))} ± ${pct(sd(xs))}`;
const multi = [...groups.values()].filter((g) => g.length > 1);
if (multi.length > 0) {
  console.log('\nMean ± sd over seeds (sample sd); per-seed values in brackets, seeds in ascending order.\n');
  console.log('| optimizer | lr | depth | init | seeds | test acc @best-val | max train acc | seeds reaching 100% train (first epoch) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const g of multi) {
    g.sort((a, b) => a.seed - b.seed);
    const r = g[0];
    const test = g.map((x) => x.best.testAcc);
    const train = g.map((x) => x.maxTrainAcc);
    const perfect = g.filter((x) => x.firstPerfectTrainEpoch !== null);
    console.log(
      `| ${r.optimizer} | ${r.lr} | ${r.depth} | ${r.init} | ${g.map((x) => x.seed).join(',')} | ${pm(test)} (${test.map(pct).join(' / ')}) | ${pm(train)} (${train.map(pct).join(' / ')}) | ${perfect.length} of ${g.length} (${g.map((x) => x.firstPerfectTrainEpoch ?? '—').join(' / ')}) |`,
    );
  }
}
