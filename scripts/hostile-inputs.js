#!/usr/bin/env node
// The hostile-input suite: every case where bad input or a hard fault once crashed, hung,
// half-restored or trained on garbage, as the vitest files that pin them (each generates its
// fixtures in a temporary folder). `npm test` runs them with everything else; this runs just
// them, e.g. after a change to loading, checkpoints or the native allocator:
//   node scripts/hostile-inputs.js [--list]
// Needs the native build and dist/ (npm run build:native && npm run build:ts).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

/** The suite, by what it attacks. */
const SUITE = {
  'dataset files (formats, bounded loading, splits, non-finite values)': [
    'test/data/loaderCli.test.ts',
    'test/data/loadDatasetErrors.test.ts',
    'test/data/textInputs.test.ts',
    'test/data/npyNpz.test.ts',
    'test/robustness/fuzz.test.ts',
  ],
  'checkpoints (transactional restore, resume, best weights, locks)': [
    'test/checkpoint/corruptRestore.test.ts',
    'test/checkpoint/resumeSafety.test.ts',
    'test/checkpoint/bestWeights.test.ts',
    'test/checkpoint/safetensors.test.ts',
  ],
  'host faults (memory budget, workers, shared memory, concurrent fits, non-finite training)': [
    'test/robustness/memoryBudget.test.ts',
    'test/robustness/outOfMemory.test.ts',
    'test/robustness/workers.test.ts',
    'test/api/sharedArrayBuffer.test.ts',
    'test/api/badInput.test.ts',
    'test/train/fitGuards.test.ts',
    'test/robustness/apiWalk.test.ts',
  ],
};

const files = Object.values(SUITE).flat();
if (process.argv.includes('--list')) {
  for (const [group, list] of Object.entries(SUITE)) console.log(`${group}\n  ${list.join('\n  ')}`);
  process.exit(0);
}
const vitest = join(__dirname, '..', 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', ...files], { cwd: join(__dirname, '..'), stdio: 'inherit' });
process.exit(r.status ?? 1);
