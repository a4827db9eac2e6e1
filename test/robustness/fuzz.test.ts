// Bounded, seeded fuzzing of the dataset loader and the safetensors reader (the long run
// is `node scripts/fuzz.js --cases N`): every mutated file ends in success or the reader's
// own clear error, never a crash, another error class or a runaway allocation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { DatasetError } from '../../lib/data/datasetError.js';
import { loadDataset } from '../../lib/data/loadDataset.js';
import { FathomError } from '../../lib/errors/FathomError.js';
import { decodeSafetensors } from '../../lib/io/decodeSafetensors.js';
import { encodeSafetensors } from '../../lib/io/encodeSafetensors.js';
import { datasetFuzzer, safetensorsFuzzer } from '../../scripts/fuzz-cases.mjs';
import { REPO_ROOT } from '../helpers/apiFixtures.js';

const work = mkdtempSync(join(tmpdir(), 'fathom-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `cases` seeded cases and tallies outcomes; checks memory stays bounded throughout. */
function campaign(run: (seed: number) => string, cases: number, seed0: number): Record<string, number> {
  const counts: Record<string, number> = {};
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  for (let i = 0; i < cases; i++) {
    const outcome = run(seed0 + i);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  // A hostile declared size that were allocated would show up as gigabytes here.
  expect(peak - rss0).toBeLessThan(512 * 2 ** 20);
  return counts;
}

describe('fuzzing', () => {
  it('ends every mutated dataset folder in success or a DatasetError', () => {
    const run = datasetFuzzer({ loadDataset, DatasetError, sourceDir: join(REPO_ROOT, 'datasets', 'texas'), workDir: join(work, 'ds') });
    const counts = campaign(run, 600, 1_000);
    console.log('dataset fuzz outcomes', counts);
    // The mutations must actually reach the validators: several error codes show up.
    expect(Object.keys(counts).filter((k) => k.startsWith('error:')).length).toBeGreaterThanOrEqual(4);
  });

  it('ends every mutated safetensors file in success or an IO FathomError', () => {
    const run = safetensorsFuzzer({ decodeSafetensors, encodeSafetensors, FathomError });
    const counts = campaign(run, 3_000, 2_000);
    console.log('safetensors fuzz outcomes', counts);
    expect(counts['error:IO']).toBeGreaterThan(2_000);
  });
});
