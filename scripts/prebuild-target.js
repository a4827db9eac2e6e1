// The prebuild folder that matches this machine, shared by the install script and the prebuild
// script: prebuilds/<platform>-<arch>/ (the node-gyp-build convention), Linux builds for glibc only.
'use strict';
const path = require('node:path');

/** @returns {{ name: string, libc: string | null }} */
function prebuildTarget() {
  const name = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return { name, libc: null };
  const header = /** @type {{ glibcVersionRuntime?: string }} */ (process.report.getReport().header);
  return { name, libc: header.glibcVersionRuntime ? 'glibc' : 'musl' };
}

/** The addon's path in a prebuild folder for this machine, or null where none can match. */
function prebuildAddon(root) {
  const { name, libc } = prebuildTarget();
  if (libc === 'musl') return null;
  return path.join(root, 'prebuilds', name, 'fathom.node');
}

module.exports = { prebuildTarget, prebuildAddon };
