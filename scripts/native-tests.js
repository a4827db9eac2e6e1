#!/usr/bin/env node
// Builds the native core's own test executable with AddressSanitizer + UBSan (CPU backend)
// in build-asan/ and runs it. Arguments are passed to the executable (a name filter).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'build-asan');
const step = (cmd, args, env = process.env) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step('cmake', ['-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=RelWithDebInfo', '-DFATHOM_NATIVE_TESTS=ON', '-DFATHOM_SANITIZE=ON', '-DFATHOM_CUDA=OFF']);
step('cmake', ['--build', dir, '-j', '2', '--target', 'fathom_native_tests']);
step(path.join(dir, 'fathom_native_tests'), process.argv.slice(2), {
  ...process.env,
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
});
