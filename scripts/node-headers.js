// Where the Node-API headers are on this machine, without a download: Node's own include folder
// (official tarballs and Debian's nodejs ship it next to the binary), the folder npm names in
// npm_config_nodedir, or the node-api-headers package. Each candidate must hold node_api.h.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** @returns {{ includeDir: string, nodedir: string | null, source: string } | null} */
function findNodeApiHeaders() {
  const candidates = [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  candidates.push({ includeDir: path.join(prefix, 'include', 'node'), nodedir: prefix, source: `Node's own headers (${prefix})` });
  const real = path.resolve(path.dirname(fs.realpathSync(process.execPath)), '..');
  if (real !== prefix) candidates.push({ includeDir: path.join(real, 'include', 'node'), nodedir: real, source: `Node's own headers (${real})` });
  if (process.env.npm_config_nodedir) {
    const d = process.env.npm_config_nodedir;
    candidates.push({ includeDir: path.join(d, 'include', 'node'), nodedir: d, source: `npm_config_nodedir (${d})` });
  }
  try {
    const { include_dir: dir } = require('node-api-headers');
    candidates.push({ includeDir: dir, nodedir: null, source: 'the node-api-headers package' });
  } catch {
    // Not installed: the other candidates decide.
  }
  return candidates.find((c) => fs.existsSync(path.join(c.includeDir, 'node_api.h'))) ?? null;
}

module.exports = { findNodeApiHeaders };
