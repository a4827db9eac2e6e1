#!/usr/bin/env node
// `npm run check`: the static checks CI runs before the tests, all three even when one fails,
// then one line per check and exit 1 if any failed. Nothing is written.
//   typecheck      tsc -p tsconfig.json --noEmit (lib, test, bench)
//   biome          biome ci --error-on-warnings (formatting and lint of the TS/JS, biome.jsonc)
//   native format  scripts/check-native-format.js (clang-format --dry-run --Werror on native/)
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const checks = [
  ['typecheck', [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']],
  // Biome colors even a pipe: plain text unless on a terminal, so CI logs stay readable.
  ['biome', [require.resolve('@biomejs/biome/bin/biome'), 'ci', '--error-on-warnings', ...(process.stdout.isTTY ? [] : ['--colors=off']), '.']],
  ['native format', [path.join(__dirname, 'check-native-format.js')]],
];

const results = [];
for (const [name, args] of checks) {
  console.log(`\ncheck: ${name}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  if (r.error) console.error(r.error.message);
}
console.log('');
for (const r of results) console.log(`check: ${r.name} ${r.ok ? 'ok' : 'FAILED'} (${r.seconds.toFixed(1)} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
