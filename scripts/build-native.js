#!/usr/bin/env node
// Builds the native addon: cmake-js (CUDA when a toolkit is found, OpenBLAS when present),
// falling back to node-gyp (CPU only, binding.gyp) where CMake is missing.
// FATHOM_CUDA=OFF forces the CPU backend; FATHOM_SKIP_NATIVE=1 skips the build.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
if (process.env.FATHOM_SKIP_NATIVE === '1') {
  console.log('fathom: FATHOM_SKIP_NATIVE=1, not building the native addon');
  process.exit(0);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  return r.status === 0;
}

const hasCmake = spawnSync('cmake', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCmake) {
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const cudaFlag = process.env.FATHOM_CUDA ? [`--CDFATHOM_CUDA=${process.env.FATHOM_CUDA}`] : [];
  if (run(process.execPath, [cmakeJs, 'compile', '--out', 'build', ...cudaFlag])) process.exit(0);
  console.error('fathom: the cmake-js build failed (see above)');
  process.exit(1);
}
console.log('fathom: cmake not found, building the CPU-only addon with node-gyp (binding.gyp)');
const gyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
// Under npm, npm_config_nodedir points at local headers (no download needed).
const nodedir = process.env.npm_config_nodedir ? [`--nodedir=${process.env.npm_config_nodedir}`] : [];
const ok = run(process.execPath, [gyp, 'rebuild', '-j', 'max', ...nodedir]) || run('node-gyp', ['rebuild', ...nodedir]);
process.exit(ok ? 0 : 1);
