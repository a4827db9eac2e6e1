// The one list of native sources, read by CMakeLists.txt and binding.gyp alike.
// Usage: node native/sources.cjs core|addon|cuda|cuda-stub  -> prints paths, one per line.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
// (The published package leaves native/tests out: a missing folder lists nothing.)
const list = (dir, ext) =>
  (fs.existsSync(path.join(root, 'native', dir)) ? fs.readdirSync(path.join(root, 'native', dir)) : [])
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => `native/${dir}/${f}`);

const core = [
  ...list('core', '.cc'),
  ...list('cpu', '.cc'),
  ...list('mpi', '.cc'),
  ...list('metis', '.cc'),
  ...list('graph', '.cc'),
  ...list('ops', '.cc'),
  ...list('table', '.cc'),
  ...list('plan', '.cc'),
];
const sets = {
  core,
  addon: list('napi', '.cc'),
  // The cuBLAS loader is plain C++ (no CUDA header): the CUDA backend's only .cc file.
  cuda: [...list('cuda', '.cu'), 'native/cuda/cublas_loader.cc'],
  'cuda-stub': ['native/cuda/runtime_stub.cc'],
  tests: list('tests', '.cc'),
};

const which = process.argv[2];
if (!sets[which]) {
  process.stderr.write(`usage: node native/sources.cjs ${Object.keys(sets).join('|')}\n`);
  process.exit(2);
}
process.stdout.write(sets[which].join(process.argv[3] === '--space' ? ' ' : '\n') + '\n');
