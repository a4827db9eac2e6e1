#!/usr/bin/env node
// Builds the native addon from source: CMake (CUDA when a toolkit is found, OpenBLAS when present),
// falling back to node-gyp (CPU only, binding.gyp) where CMake is missing. CMake is driven
// directly with the Node-API headers found on this machine (scripts/node-headers.js), so the
// build needs no download whether it runs under npm or as `node scripts/build-native.js`.
//
//   node scripts/build-native.js [--out DIR] [--portable]
//
// --out: the build folder (default build/; the addon lands in DIR/Release/fathom.node).
// --portable: the prebuild's settings: libstdc++ linked statically, rpath $ORIGIN, no build paths
// (scripts/prebuild.js sets FATHOM_CUDA for it).
// FATHOM_CUDA=OFF|ON|AUTO chooses the CUDA backend; FATHOM_SKIP_NATIVE=1 skips the build.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { findNodeApiHeaders } = require('./node-headers.js');

const root = path.join(__dirname, '..');

function parseArgs(argv) {
  const out = { dir: path.join(root, 'build'), portable: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out.dir = path.resolve(argv[++i]);
    else if (argv[i] === '--portable') out.portable = true;
    else {
      console.error(`build-native: unknown argument '${argv[i]}' (expected --out DIR or --portable)`);
      process.exit(2);
    }
  }
  return out;
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  return r.status === 0;
}

function has(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

function addonApiInclude() {
  try {
    return require('node-addon-api').include_dir;
  } catch {
    console.error('fathom: the source build needs the node-addon-api package (npm install node-addon-api)');
    process.exit(1);
  }
}

function cmakeBuild({ dir, portable }, headers) {
  // A folder configured by another generator (or by cmake-js) cannot be reused.
  const cache = path.join(dir, 'CMakeCache.txt');
  const generator = has('ninja') ? 'Ninja' : 'Unix Makefiles';
  if (fs.existsSync(cache) && !fs.readFileSync(cache, 'utf8').includes(`CMAKE_GENERATOR:INTERNAL=${generator}`)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const cuda = process.env.FATHOM_CUDA;
  const args = [
    '-S',
    root,
    '-B',
    dir,
    '-G',
    generator,
    '-DCMAKE_BUILD_TYPE=Release',
    `-DCMAKE_JS_INC=${headers.includeDir}`,
    `-DFATHOM_NODE_ADDON_API_DIR=${addonApiInclude()}`,
    `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${path.join(dir, 'Release')}`,
    `-DFATHOM_PORTABLE=${portable ? 'ON' : 'OFF'}`,
    ...(cuda ? [`-DFATHOM_CUDA=${cuda}`] : []),
  ];
  // CMakeLists.txt lets the environment's FATHOM_CUDA win over the cache: keep them in step.
  const env = cuda ? { ...process.env, FATHOM_CUDA: cuda } : process.env;
  const jobs = String(Number(process.env.FATHOM_BUILD_JOBS) || require('node:os').availableParallelism());
  return run('cmake', args, env) && run('cmake', ['--build', dir, '--target', 'fathom', '-j', jobs], env);
}

function gypBuild(headers) {
  console.log('fathom: cmake not found, building the CPU-only addon with node-gyp (binding.gyp)');
  const gyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  // node-gyp wants a full headers folder (common.gypi beside the headers) to skip its download.
  const full = headers?.nodedir && fs.existsSync(path.join(headers.nodedir, 'include', 'node', 'common.gypi'));
  const nodedir = full ? [`--nodedir=${headers.nodedir}`] : [];
  return (fs.existsSync(gyp) && run(process.execPath, [gyp, 'rebuild', '-j', 'max', ...nodedir])) || run('node-gyp', ['rebuild', ...nodedir]);
}

function main() {
  if (process.env.FATHOM_SKIP_NATIVE === '1') {
    console.log('fathom: FATHOM_SKIP_NATIVE=1, not building the native addon');
    return 0;
  }
  const opts = parseArgs(process.argv.slice(2));
  const headers = findNodeApiHeaders();
  if (!has('cmake')) {
    if (opts.portable) {
      console.error('fathom: the prebuild needs CMake');
      return 1;
    }
    return gypBuild(headers) ? 0 : 1;
  }
  if (!headers) {
    console.error(
      `fathom: no Node-API headers found (looked beside ${process.execPath} and for the node-api-headers package); ` +
        'install node-api-headers (npm install node-api-headers) and build again',
    );
    return 1;
  }
  console.log(`fathom: building the native addon from source with CMake (Node-API headers: ${headers.source})`);
  if (cmakeBuild(opts, headers)) return 0;
  console.error('fathom: the CMake build failed (see above)');
  return 1;
}

if (require.main === module) process.exit(main());
module.exports = { main };
