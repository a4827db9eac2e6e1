// Prints a markdown table of experiments/res-gcn/results/acc-*.json: the settings of each run
// list, test accuracy per seed (at the best-validation epoch), mean ± sd and best epochs.
// Usage: node experiments/res-gcn/summarize.mjs [results-dir]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'results');
const rows = readdirSync(dir)
  .filter((f) => f.startsWith('acc-') && f.endsWith('.json'))
  .map((f) => ({ file: f, ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }))
  .sort((a, b) => a.residual.localeCompare(b.residual) || a.depth - b.depth || a.file.localeCompare(b.file));
const pct = (v) => (100 * v).toFixed(1);
console.log('| file | residual | depth | model options | lr | weight decay | epochs / patience | test acc per seed | mean ± sd | best epochs | NaN |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const extra = r.extra && Object.keys(r.extra).length ? JSON.stringify(r.extra) : '—';
  console.log(
    `| ${r.file} | ${r.residual} | ${r.depth} | ${extra} | ${r.lr} | ${r.weightDecay} | ${r.epochs} / ${r.patience} | ${r.runs
      .map((x) => `${pct(x.testAcc)} (s${x.seed})`)
      .join(
        ' / ',
      )} | ${pct(r.meanTestAcc)} ± ${pct(r.sdTestAcc)} | ${r.runs.map((x) => x.bestEpoch).join(' / ')} | ${r.runs.some((x) => x.anyNaN) ? 'yes' : 'no'} |`,
  );
}
