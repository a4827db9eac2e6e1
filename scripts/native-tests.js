#!/usr/bin/env node
// Builds the native core's own test executable and runs it:
//   node scripts/native-tests.js [filter]             AddressSanitizer + UBSan (build-asan/)
//   node scripts/native-tests.js --valgrind [filter]  plain build under valgrind memcheck (build-valgrind/)
// Both use the CPU backend. The filter selects tests whose name contains it.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const valgrind = args[0] === '--valgrind';
const filter = valgrind ? args.slice(1) : args;
const dir = path.join(root, valgrind ? 'build-valgrind' : 'build-asan');
const step = (cmd, argv, env = process.env) => {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step('cmake', [
  '-S',
  '.',
  '-B',
  dir,
  '-DCMAKE_BUILD_TYPE=RelWithDebInfo',
  '-DFATHOM_NATIVE_TESTS=ON',
  `-DFATHOM_SANITIZE=${valgrind ? 'OFF' : 'ON'}`,
  '-DFATHOM_CUDA=OFF',
]);
step('cmake', ['--build', dir, '-j', '2', '--target', 'fathom_native_tests']);
const exe = path.join(dir, 'fathom_native_tests');
if (valgrind) {
  // Definite leaks and invalid accesses fail the run; the OpenMP runtime's per-thread pools are
  // reachable at exit by design and are not counted.
  step('valgrind', ['--quiet', '--error-exitcode=3', '--leak-check=full', '--errors-for-leak-kinds=definite', '--show-leak-kinds=definite', exe, ...filter], {
    ...process.env,
    OMP_NUM_THREADS: '2',
  });
} else {
  step(exe, filter, {
    ...process.env,
    ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  });
}
