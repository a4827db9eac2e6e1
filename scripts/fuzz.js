#!/usr/bin/env node
// Long fuzzing run of the dataset loader and the safetensors reader over the built package:
//   node scripts/fuzz.js --cases 20000 [--seed 1] [--only dataset|safetensors]
// Prints the outcome counts per reader; exits 1 on the first case that ends in anything
// but success or the reader's own error (the message names the case seed to replay).
// CommonJS (scripts/package.json), loading the ESM build with import().
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const cases = arg('--cases', 10000);
const seed = arg('--seed', 1);

async function main() {
  const { datasetFuzzer, safetensorsFuzzer } = await import('./fuzz-cases.mjs');
  const { FathomError, datasets } = await import(join(root, 'dist/esm/index.js'));
  const { decodeSafetensors } = await import(join(root, 'dist/esm/io/decodeSafetensors.js'));
  const { encodeSafetensors } = await import(join(root, 'dist/esm/io/encodeSafetensors.js'));

  const work = mkdtempSync(join(tmpdir(), 'fathom-fuzz-'));
  try {
    const runs = {
      dataset: datasetFuzzer({
        loadDataset: datasets.loadDataset,
        DatasetError: datasets.DatasetError,
        sourceDir: join(root, 'datasets', 'texas'),
        workDir: join(work, 'ds'),
      }),
      safetensors: safetensorsFuzzer({ decodeSafetensors, encodeSafetensors, FathomError }),
    };
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
    for (const [name, run] of Object.entries(runs)) {
      if (only && name !== only) continue;
      const t0 = performance.now();
      const counts = {};
      for (let i = 0; i < cases; i++) {
        const outcome = run(seed * 1_000_003 + i);
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        if (i % 100 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`${name}: ${cases} cases in ${s} s, no unexpected failure: ${JSON.stringify(counts)}`);
    }
    console.log(`RSS ${(rss0 / 2 ** 20).toFixed(0)} MB at start, peak ${(peak / 2 ** 20).toFixed(0)} MB`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
