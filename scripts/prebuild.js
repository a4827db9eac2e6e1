#!/usr/bin/env node
// Builds the prebuilt addon shipped in the package: prebuilds/<platform>-<arch>/ (linux-x64, glibc).
// CPU backend only, OpenBLAS (the OpenMP build where Debian has it) with the shared libraries it
// needs that are not part of glibc copied beside the addon, every one with an rpath of $ORIGIN;
// libstdc++ and libgcc are linked in. It builds in a fresh folder (build-prebuild/) with fixed
// flags and no build paths in the binary, and writes manifest.json (versions, sha256 of each file).
// Needs CMake, a C++17 compiler, OpenBLAS (libopenblas-openmp-dev) and patchelf.
//
//   node scripts/prebuild.js                 (npm run build:prebuild)
//   node scripts/prebuild.js --reuse-build   package build-prebuild/ again without rebuilding
// The prebuild needs the build machine's glibc or newer (manifest.json's glibcMin): build it on
// the oldest glibc it should serve.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { prebuildTarget } = require('./prebuild-target.js');

const root = path.join(__dirname, '..');
const buildDir = path.join(root, 'build-prebuild');
// Libraries every glibc system has (libstdc++ and libgcc are linked statically).
const SYSTEM = /^(linux-vdso|linux-gate|ld-linux[^/]*|libc|libm|libdl|libpthread|librt|libresolv|libutil)\.so/;

function fail(msg) {
  console.error(`prebuild: ${msg}`);
  process.exit(1);
}

/** Shared libraries the file needs, resolved: [{ soname, file }], glibc's own left out. */
function neededLibraries(file) {
  const out = execFileSync('ldd', [file], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '' } });
  const libs = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\S+) => (\S+|not found)/.exec(line);
    if (!m) continue;
    if (m[2] === 'not found') fail(`${path.basename(file)} needs ${m[1]}, which is not found`);
    if (!SYSTEM.test(m[1])) libs.push({ soname: m[1], file: m[2] });
  }
  return libs;
}

/** The newest glibc symbol version any of the files needs: the oldest glibc the prebuild loads on. */
function glibcFloor(files) {
  const versions = files.flatMap((f) => execFileSync('objdump', ['-T', f], { encoding: 'utf8', maxBuffer: 1 << 28 }).match(/GLIBC_\d+\.\d+/g) ?? []);
  const key = (v) => v.slice(6).split('.').map(Number);
  return (
    versions
      .sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1])
      .at(-1)
      ?.slice(6) ?? null
  );
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function main() {
  const { name, libc } = prebuildTarget();
  if (name !== 'linux-x64' || libc !== 'glibc') fail(`prebuilds are made on linux-x64 with glibc, this is ${name} ${libc ?? ''}`);
  if (spawnSync('patchelf', ['--version'], { stdio: 'ignore' }).status !== 0) fail('patchelf is needed (apt-get install patchelf)');

  const reuse = process.argv.includes('--reuse-build') && fs.existsSync(path.join(buildDir, 'Release', 'fathom.node'));
  if (!reuse) {
    fs.rmSync(buildDir, { recursive: true, force: true });
    const built = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js'), '--out', buildDir, '--portable'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, FATHOM_CUDA: 'OFF', SOURCE_DATE_EPOCH: '0' },
    });
    if (built.status !== 0) fail('the build failed (see above)');
  }
  const cache = fs.readFileSync(path.join(buildDir, 'CMakeCache.txt'), 'utf8');
  const blas = /FATHOM_OPENBLAS_OPENMP:FILEPATH=(\S+)/.exec(cache)?.[1];
  if (!blas || blas.endsWith('NOTFOUND')) fail('OpenBLAS (OpenMP build) was not found: apt-get install libopenblas-openmp-dev');

  const outDir = path.join(root, 'prebuilds', name);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const addon = path.join(outDir, 'fathom.node');
  fs.copyFileSync(path.join(buildDir, 'Release', 'fathom.node'), addon);
  execFileSync('strip', ['--strip-unneeded', addon]);
  // Only $ORIGIN: CMake adds the link folders of the build machine too.
  execFileSync('patchelf', ['--set-rpath', '$ORIGIN', addon]);
  for (const lib of neededLibraries(addon)) {
    const dest = path.join(outDir, lib.soname);
    fs.copyFileSync(lib.file, dest);
    fs.chmodSync(dest, 0o755);
    execFileSync('patchelf', ['--set-rpath', '$ORIGIN', dest]);
  }

  // The check: it loads with nothing but what is in the folder, and GEMM goes through OpenBLAS.
  const probe = spawnSync(process.execPath, ['-e', `const b=require(${JSON.stringify(addon)}); console.log(b.devices().cpu.blas)`], {
    encoding: 'utf8',
    env: { ...process.env, LD_LIBRARY_PATH: '' },
  });
  if (probe.status !== 0 || !/OpenBLAS/.test(probe.stdout)) fail(`the prebuild does not load or has no OpenBLAS: ${probe.stderr}${probe.stdout}`);
  for (const lib of neededLibraries(addon)) {
    if (path.dirname(lib.file) !== outDir) fail(`${lib.soname} resolves outside the prebuild folder (${lib.file})`);
  }

  const files = Object.fromEntries(
    fs
      .readdirSync(outDir)
      .sort()
      .map((f) => [f, sha256(path.join(outDir, f))]),
  );
  const manifest = {
    glibcMin: glibcFloor(
      Object.keys(files)
        .filter((f) => f !== 'manifest.json')
        .map((f) => path.join(outDir, f)),
    ),
    target: name,
    libc,
    napiVersion: 8,
    backend: 'cpu',
    blas: probe.stdout.trim(),
    openblas: path.basename(fs.realpathSync(blas)),
    compiler: /CMAKE_CXX_COMPILER:(?:FILEPATH|STRING)=(\S+)/.exec(cache)?.[1] ?? null,
    builtWithNode: process.version,
    files,
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const size = Object.keys(files).reduce((s, f) => s + fs.statSync(path.join(outDir, f)).size, 0);
  console.log(`prebuild: ${path.relative(root, outDir)}: ${Object.keys(files).join(', ')} (${(size / 2 ** 20).toFixed(1)} MiB)`);
}

main();
