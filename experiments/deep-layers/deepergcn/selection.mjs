// Best-epoch rules compared on recorded training histories (sweep.mjs --history FILE writes one
// line per seed: [epoch, trainLoss, trainAcc, valLoss, valAcc, testAcc] per epoch), without
// retraining. firstMaxVal is fit()'s own rule (the first epoch with the highest validation
// accuracy); the others are what a user might pick instead. Validation and test accuracy at the
// chosen epoch, per seed, with their means.
//   node experiments/deep-layers/deepergcn/selection.mjs experiments/deep-layers/deepergcn/round4/*.jsonl
import { readFileSync } from 'node:fs';

const argmax = (values) => values.reduce((b, v, i) => (v > values[b] ? i : b), 0);
const RULES = {
  firstMaxVal: (h) => argmax(h.map((e) => e[4])),
  minValLoss: (h) => argmax(h.map((e) => -e[3])),
  maxValThenLoss: (h) => h.reduce((b, e, i) => (e[4] > h[b][4] || (e[4] === h[b][4] && e[3] < h[b][3]) ? i : b), 0),
  // Validation accuracy averaged over a 5-epoch window, so one lucky epoch does not decide.
  smooth5: (h) =>
    argmax(
      h.map((_, i) => {
        const w = h.slice(Math.max(0, i - 2), i + 3);
        return w.reduce((a, e) => a + e[4], 0) / w.length;
      }),
    ),
};
const pct = (v) => (100 * v).toFixed(1);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const file of process.argv.slice(2)) {
  const runs = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  console.log(`${file} (seeds ${runs.map((r) => r.seed).join(', ')}): ${runs[0].flags || '(defaults)'}`);
  for (const [name, rule] of Object.entries(RULES)) {
    const picks = runs.map((r) => r.history[rule(r.history)]);
    console.log(
      `  ${name.padEnd(15)} val ${picks.map((e) => pct(e[4])).join('/')} (mean ${pct(mean(picks.map((e) => e[4])))})` +
        `  test ${picks.map((e) => pct(e[5])).join('/')} (mean ${pct(mean(picks.map((e) => e[5])))})  epochs ${picks.map((e) => e[0]).join('/')}`,
    );
  }
}
