// Tables of a run folder's cells.jsonl (this experiment's or a sweep's): training accuracy over the
// loss nodes (last and maximum) and the loss curve, mean ± sd over seeds per dataset, model and
// depth; and the per-layer effective rank and σ₂/σ₁ at the recorded epochs, with every layer's
// values written to PROFILES_CSV.
//
//   node experiments/skp-fitting/summarize.mjs RUN_DIR [--epochs 0,100,500] [--loss-at 1,100,250,500]
//     [--csv RUN_DIR/profiles.csv] > RUN_DIR/summary.md
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const dir = args[0];
if (!dir || dir.startsWith('--')) throw new Error('usage: summarize.mjs RUN_DIR [--epochs 0,100,500] [--loss-at 1,100,250,500] [--csv FILE]');
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const diagEpochs = opt('epochs', '0,100,500').split(',').map(Number);
const lossAt = opt('loss-at', '1,100,250,500').split(',').map(Number);
const csvPath = opt('csv', join(dir, 'profiles.csv'));

const cells = new Map();
for (const line of readFileSync(join(dir, 'cells.jsonl'), 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  if (r.status === 'ok') cells.set(r.id, r);
}
const records = [...cells.values()];
const key = (r) => `${r.params.dataset}|${r.params.method}|${r.params.depth}`;
const groups = new Map();
for (const r of records) {
  if (!groups.has(key(r))) groups.set(key(r), []);
  groups.get(key(r)).push(r);
}
const order = [...groups.keys()].sort((a, b) => {
  const [da, ma, la] = a.split('|');
  const [db, mb, lb] = b.split('|');
  return da.localeCompare(db) || Number(la) - Number(lb) || ma.localeCompare(mb);
});

const mean = (xs) => xs.reduce((a, v) => a + v, 0) / xs.length;
const sd = (xs) => (xs.length < 2 ? NaN : Math.sqrt(xs.reduce((a, v) => a + (v - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pm = (xs, f) => (xs.length === 0 ? '—' : xs.length === 1 ? f(xs[0]) : `${f(mean(xs))} ± ${f(sd(xs))}`);
const pct = (v) => (100 * v).toFixed(1);
const num = (d) => (v) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(1) : v.toFixed(d));
const lossAtEpoch = (r, e) => r.history.find((h) => h.epoch === e)?.trainLoss ?? null;

console.log('### Training accuracy and loss over the loss nodes (mean ± sd over seeds)\n');
console.log(
  `| dataset | model | depth | seeds | width | parameters | last train acc % | max train acc % | test acc % (last) | ${lossAt.map((e) => `loss @${e}`).join(' | ')} | s per run |`,
);
console.log(`|---|---|---|---|---|---|---|---|---|${lossAt.map(() => '---|').join('')}---|`);
for (const k of order) {
  const rs = groups.get(k).sort((a, b) => a.params.seed - b.params.seed);
  const [dataset, method, depth] = k.split('|');
  const maxAcc = rs.map((r) => Math.max(...r.history.map((h) => h.trainAcc)));
  const losses = lossAt.map((e) =>
    pm(
      rs.map((r) => lossAtEpoch(r, e)).filter((v) => v !== null),
      num(3),
    ),
  );
  const perSeed = rs.map((r) => pct(r.final.trainAcc)).join(' / ');
  console.log(
    `| ${dataset} | ${method} | ${depth} | ${rs.map((r) => r.params.seed).join(',')} | ${rs[0].params.width ?? ''} | ${rs[0].params.parameters ?? ''} | ${pm(
      rs.map((r) => r.final.trainAcc),
      pct,
    )} (${perSeed}) | ${pm(maxAcc, pct)} | ${pm(
      rs.map((r) => r.final.testAcc),
      pct,
    )} | ${losses.join(' | ')} | ${mean(rs.map((r) => r.wallMs / 1000)).toFixed(0)} |`,
  );
}

// Per-layer profiles: layer 0 is the encoder's output, layer L the last hidden layer's.
const csv = ['dataset,model,depth,seed,epoch,layer,effectiveRank,sigmaRatio'];
for (const r of records) {
  for (const snap of r.diagnostics) {
    for (const l of snap.layers)
      csv.push([r.params.dataset, r.params.method, r.params.depth, r.params.seed, snap.epoch, l.layer, l.effectiveRank, l.sigmaRatio].join(','));
  }
}
writeFileSync(csvPath, `${csv.join('\n')}\n`);

for (const metric of ['effectiveRank', 'sigmaRatio']) {
  console.log(`\n### ${metric === 'effectiveRank' ? 'Effective rank' : 'σ₂/σ₁'} per layer (mean over seeds): first, 1/4, 1/2, 3/4 and last recorded layer\n`);
  console.log(`| dataset | model | depth | ${diagEpochs.map((e) => `epoch ${e}`).join(' | ')} |`);
  console.log(`|---|---|---|${diagEpochs.map(() => '---|').join('')}`);
  for (const k of order) {
    const rs = groups.get(k);
    const [dataset, method, depth] = k.split('|');
    // The last recorded layer: L for SKP/KP (layer 0 is the encoder), L − 1 for a GCN's hidden layers.
    const L = Math.max(...rs.flatMap((r) => r.diagnostics.flatMap((s) => s.layers.map((x) => x.layer))));
    const layers = [0, Math.round(L / 4), Math.round(L / 2), Math.round((3 * L) / 4), L];
    const cols = diagEpochs.map((e) => {
      const snaps = rs.map((r) => r.diagnostics.find((s) => s.epoch === e)).filter(Boolean);
      if (snaps.length === 0) return '—';
      return layers
        .map((l) => {
          const vs = snaps.map((s) => s.layers.find((x) => x.layer === l)?.[metric]).filter((v) => v !== null && v !== undefined);
          return vs.length ? num(metric === 'effectiveRank' ? 2 : 3)(mean(vs)) : '—';
        })
        .join(' → ');
    });
    console.log(`| ${dataset} | ${method} | ${depth} | ${cols.join(' | ')} |`);
  }
}
