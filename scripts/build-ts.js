#!/usr/bin/env node
// Compiles lib/ to dist/ (ESM in dist/esm, CommonJS in dist/cjs) in a fresh folder beside it and
// swaps that in with renames, so a process running from dist/ (a test, the CLI) never reads a
// half-written file.
//   node scripts/build-ts.js              always build (npm run build:ts)
//   node scripts/build-ts.js --if-stale   only when dist/ is missing or older than its sources (npm's prepare)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const SOURCES = ['lib', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.cjs.json', 'scripts/build-ts.js'];

/** The newest modification time under the given files and folders. */
function newest(paths) {
  let t = 0;
  const visit = (p) => {
    const s = fs.statSync(p, { throwIfNoEntry: false });
    if (!s) return;
    t = Math.max(t, s.mtimeMs);
    if (s.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
  };
  for (const p of paths) visit(path.join(root, p));
  return t;
}

function upToDate() {
  const built = fs.statSync(stamp, { throwIfNoEntry: false });
  const complete = ['esm/index.js', 'cjs/index.js', 'esm/cli/main.js'].every((f) => fs.existsSync(path.join(dist, f)));
  return Boolean(built && complete && newest(SOURCES) <= built.mtimeMs);
}

function tsc(project, outDir) {
  const bin = require.resolve('typescript/bin/tsc', { paths: [root] });
  const r = spawnSync(process.execPath, [bin, '-p', path.join(root, project), '--outDir', outDir], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build-ts: tsc -p ${project} failed`);
    process.exit(1);
  }
}

function main() {
  if (process.argv.includes('--if-stale') && upToDate()) {
    console.log('fathom: dist/ is up to date, not rebuilding');
    return;
  }
  const tmp = path.join(root, `.dist-tmp-${process.pid}`);
  const old = path.join(root, `.dist-old-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  const started = new Date();
  try {
    tsc('tsconfig.build.json', path.join(tmp, 'esm'));
    tsc('tsconfig.cjs.json', path.join(tmp, 'cjs'));
    // dist/cjs holds CommonJS inside a "type": "module" package: a nested package.json says so.
    fs.writeFileSync(path.join(tmp, 'cjs', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
    // Dated when the build began: a source saved during the build leaves dist/ stale.
    fs.writeFileSync(path.join(tmp, '.build-stamp'), `${started.toISOString()}\n`);
    fs.utimesSync(path.join(tmp, '.build-stamp'), started, started);
    // Two renames: dist/ is absent only between them, and no file in it is ever rewritten.
    if (fs.existsSync(dist)) fs.renameSync(dist, old);
    fs.renameSync(tmp, dist);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
  }
}

main();
