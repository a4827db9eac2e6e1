#!/usr/bin/env node
// Builds the prebuilt addon shipped in the package: prebuilds/<platform>-<arch>/ (linux-x64, glibc).
// One addon for machines with and without a GPU: the CPU backend with OpenBLAS (the OpenMP build
// where Debian has it) and the CUDA backend (sm_80 and sm_90 code, compute_90 PTX; the CUDA
// runtime linked statically; cuBLAS opened at run time when libcublas.so.13 or .12 is installed,
// the built-in GEMM kernel otherwise). Without a GPU or driver it loads and runs on the CPU.
// The shared libraries it needs that are not part of glibc are copied beside the addon, every one
// with an rpath of $ORIGIN; libstdc++ and libgcc are linked in; no CUDA library is needed. It
// builds in a fresh folder (build-prebuild/) with fixed flags and no build paths in the binary,
// and writes manifest.json (versions, sha256 of each file).
// Needs CMake, a C++17 compiler, the CUDA toolkit (nvcc; cuBLAS is not needed), OpenBLAS
// (libopenblas-openmp-dev) and patchelf.
//
//   node scripts/prebuild.js                 (npm run build:prebuild)
//   node scripts/prebuild.js --reuse-build   build again in build-prebuild/ (only what changed)
//   node scripts/prebuild.js --cpu-only      the CPU backend alone, where no CUDA toolkit is installed
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

/** The GPU code nvcc embedded (machine code per sm_XX, PTX per compute_XX), from the build's flags. */
function cudaCode() {
  const file = path.join(buildDir, 'build.ninja');
  if (!fs.existsSync(file)) return null; // a Makefile build: the flags are spread over many files
  const ninja = fs.readFileSync(file, 'utf8');
  const code = new Set([...ninja.matchAll(/--generate-code=arch=compute_\d+,code=\[([^\]]+)\]/g)].flatMap((m) => m[1].split(',')));
  return [...code].sort();
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function main() {
  const { name, libc } = prebuildTarget();
  if (name !== 'linux-x64' || libc !== 'glibc') fail(`prebuilds are made on linux-x64 with glibc, this is ${name} ${libc ?? ''}`);
  if (spawnSync('patchelf', ['--version'], { stdio: 'ignore' }).status !== 0) fail('patchelf is needed (apt-get install patchelf)');

  const args = process.argv.slice(2);
  for (const a of args) if (a !== '--reuse-build' && a !== '--cpu-only') fail(`unknown argument '${a}' (expected --reuse-build or --cpu-only)`);
  const cuda = !args.includes('--cpu-only');
  if (!args.includes('--reuse-build')) fs.rmSync(buildDir, { recursive: true, force: true });
  const built = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js'), '--out', buildDir, '--portable'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FATHOM_CUDA: cuda ? 'ON' : 'OFF', SOURCE_DATE_EPOCH: '0' },
  });
  if (built.status !== 0) fail(`the build failed (see above)${cuda ? '; without a CUDA toolkit, --cpu-only builds the CPU prebuild' : ''}`);
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

  // The checks: it loads with nothing but what is in the folder (no CUDA library either: the
  // runtime is linked in, cuBLAS is opened at run time), GEMM goes through OpenBLAS, the CUDA
  // backend is compiled in, and no build path is left in the binary.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const b=require(${JSON.stringify(addon)}); const d=b.devices(); console.log(JSON.stringify({ blas: d.cpu.blas, cuda: d.cuda.compiled, runtime: d.cuda.probe.runtimeVersion }))`,
    ],
    { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '' } },
  );
  const facts = probe.status === 0 ? JSON.parse(probe.stdout) : null;
  if (!facts || !/OpenBLAS/.test(facts.blas)) fail(`the prebuild does not load or has no OpenBLAS: ${probe.stderr}${probe.stdout}`);
  if (facts.cuda !== cuda) fail(`the prebuild ${facts.cuda ? 'has' : 'lacks'} the CUDA backend`);
  for (const lib of neededLibraries(addon)) {
    if (path.dirname(lib.file) !== outDir) fail(`${lib.soname} resolves outside the prebuild folder (${lib.file})`);
    if (/^lib(cuda|cudart|cublas|cublasLt|nvrtc)\.so/.test(lib.soname)) fail(`the prebuild needs ${lib.soname}: CUDA libraries must not be linked`);
  }
  if (fs.readFileSync(addon).includes(Buffer.from(root))) fail(`the addon holds the build path ${root}`);

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
    backend: cuda ? 'cpu+cuda' : 'cpu',
    blas: facts.blas,
    cuda: cuda
      ? {
          runtime: `${Math.floor(facts.runtime / 1000)}.${Math.floor((facts.runtime % 1000) / 10)} (static)`,
          code: cudaCode(),
          cublas: 'opened at run time: libcublas.so.13, libcublas.so.12, libcublas.so',
        }
      : null,
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
