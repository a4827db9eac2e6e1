// What `npm pack` puts in the published tarball: what a user needs (the built library, the
// sources a source build compiles, the docs the README links, examples), and nothing of the
// tests, benchmarks, experiments or build folders.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';

let files: string[] = [];

beforeAll(() => {
  ensureDistBuilt();
  // --ignore-scripts: the listing only, without prepare's TypeScript build.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
});

describe('the packed tarball', () => {
  it('holds the built library, the CLI, the install and source-build scripts and the native sources', () => {
    for (const f of [
      'package.json',
      'README.md',
      'bin/fathom.js',
      'dist/esm/index.js',
      'dist/esm/index.d.ts',
      'dist/cjs/index.js',
      'dist/cjs/package.json',
      'dist/esm/cli/main.js',
      'scripts/package.json',
      'scripts/install.js',
      'scripts/build-native.js',
      'scripts/node-headers.js',
      'scripts/prebuild-target.js',
      'CMakeLists.txt',
      'binding.gyp',
      'native/sources.cjs',
      'native/napi/addon.cc',
      'native/cuda/runtime.cu',
      'native/cuda/runtime_stub.cc',
      'native/cuda/cublas_loader.cc',
      'native/cuda/cublas_loader.h',
      'datasets/index.json',
    ]) {
      expect(files, f).toContain(f);
    }
    expect(files.some((f) => f.startsWith('datasets/cora/'))).toBe(true);
  });

  it('holds the docs the README links to, the methods reference among them, and runnable examples', () => {
    for (const f of [
      'docs/methods.md',
      'docs/errors.md',
      'docs/diagnostics.md',
      'docs/results.md',
      'examples/train-cora.mjs',
      'examples/predict.mjs',
      'examples/custom-model.mjs',
    ]) {
      expect(files, f).toContain(f);
    }
  });

  it('leaves out tests, native tests, benchmarks, experiments, CI, build output and development scripts', () => {
    const forbidden = [
      /^test\//,
      /^native\/tests\//,
      /^bench\//,
      /^experiments\//,
      /^\.ci\//,
      /^build/,
      /^node_modules\//,
      /^\.dist-/,
      /\.test\.[cm]?[jt]s(\.map)?$/,
      /tsbuildinfo$/,
    ];
    for (const re of forbidden)
      expect(
        files.filter((f) => re.test(f)),
        String(re),
      ).toEqual([]);
    const scripts = files.filter((f) => f.startsWith('scripts/')).sort();
    expect(scripts).toEqual(['scripts/build-native.js', 'scripts/install.js', 'scripts/node-headers.js', 'scripts/package.json', 'scripts/prebuild-target.js']);
  });

  it('ships source maps only for the library, whose sources it ships too', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const m of maps) expect(m, m).toMatch(/^dist\/(esm|cjs)\//);
    expect(files).toContain('lib/index.ts');
  });
});
