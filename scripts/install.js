#!/usr/bin/env node
// npm's install hook. Where the package ships a prebuilt addon for this machine and it loads,
// there is nothing to do; otherwise the addon is built from source (scripts/build-native.js).
//   FATHOM_BUILD_FROM_SOURCE=1  always build from source (e.g. against another CUDA toolkit)
//   FATHOM_SKIP_NATIVE=1        do nothing
// A git checkout always builds from source: its addon must match its sources.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { prebuildAddon, prebuildTarget } = require('./prebuild-target.js');

const root = path.join(__dirname, '..');

function tryPrebuild() {
  const addon = prebuildAddon(root);
  if (!addon || !fs.existsSync(addon)) return `no prebuilt addon for ${prebuildTarget().name}`;
  try {
    require(addon);
    return null;
  } catch (e) {
    return `the prebuilt addon ${path.relative(root, addon)} does not load here: ${e.message.split('\n')[0]}`;
  }
}

/** What the prebuild holds, from its manifest (scripts/prebuild.js). */
function describePrebuild() {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(path.dirname(prebuildAddon(root)), 'manifest.json'), 'utf8'));
    if (m.backend === 'cpu+cuda') return 'CPU with OpenBLAS, and CUDA with cuBLAS opened at run time where it is installed';
  } catch {
    // No manifest: say only what every prebuild has.
  }
  return 'CPU with OpenBLAS';
}

function main() {
  if (process.env.FATHOM_SKIP_NATIVE === '1') {
    console.log('fathom: FATHOM_SKIP_NATIVE=1, not building the native addon');
    return 0;
  }
  const build = () => require('./build-native.js').main();
  if (process.env.FATHOM_BUILD_FROM_SOURCE === '1') {
    console.log('fathom: FATHOM_BUILD_FROM_SOURCE=1, building the native addon from source');
    return build();
  }
  if (fs.existsSync(path.join(root, '.git'))) return build();
  const why = tryPrebuild();
  if (why === null) {
    console.log(`fathom: using the prebuilt addon (prebuilds/${prebuildTarget().name}, ${describePrebuild()}); FATHOM_BUILD_FROM_SOURCE=1 builds from source`);
    return 0;
  }
  console.log(`fathom: ${why}; building from source (needs CMake or node-gyp, and a C++17 compiler)`);
  return build();
}

process.exit(main());
