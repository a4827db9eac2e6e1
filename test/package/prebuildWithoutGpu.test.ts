// The CUDA-enabled prebuild as a user without a GPU gets it: the package laid out as installed
// (dist, bin, datasets and prebuilds, no build/ folder, so the library loads the prebuild), then
// `fathom info`, a GEMM against a float64 reference and a short GCN training on Cora, all in a
// child process with an empty LD_LIBRARY_PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';

const DIR = join(REPO_ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
const MANIFEST = join(DIR, 'manifest.json');
const isCudaPrebuild = existsSync(MANIFEST) && (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { backend: string }).backend === 'cpu+cuda';

// What this machine has: the exact messages below are those of a machine with neither.
const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' }).stdout ?? '';
const hasDriver = /libcuda\.so\.1 /.test(ldconfig);
const hasCublas = /libcublas\.so/.test(ldconfig) || ['13', '12', ''].some((v) => existsSync(`/usr/local/cuda/lib64/libcublas.so${v ? `.${v}` : ''}`));

let pkg = '';
const env = () => {
  const e: NodeJS.ProcessEnv = { ...process.env, LD_LIBRARY_PATH: '' };
  for (const k of ['FATHOM_CUBLAS', 'CUDA_HOME', 'CUDA_PATH', 'NODE_OPTIONS']) delete e[k];
  return e;
};

beforeAll(() => {
  if (!isCudaPrebuild) return;
  ensureDistBuilt();
  pkg = mkdtempSync(join(tmpdir(), 'fathom-prebuild-'));
  cpSync(join(REPO_ROOT, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(REPO_ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
  cpSync(join(REPO_ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
  for (const d of ['prebuilds', 'datasets', 'node_modules']) symlinkSync(join(REPO_ROOT, d), join(pkg, d));
});

afterAll(() => {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
});

describe.runIf(isCudaPrebuild)('the CUDA prebuild on a machine without a GPU', () => {
  it.runIf(!hasDriver && !hasCublas)('has fathom info say CUDA is compiled in, no NVIDIA driver is found, and which libcublas files it looked for', () => {
    const out = execFileSync(process.execPath, [join(pkg, 'bin', 'fathom.js'), 'info'], { cwd: pkg, encoding: 'utf8', env: env() });
    expect(out).toMatch(/build +\| CPU \+ CUDA/);
    expect(out).toMatch(/BLAS +\| OpenBLAS/);
    expect(out).toMatch(/CUDA +\| unavailable: no NVIDIA driver found/);
    expect(out).toMatch(
      /CUDA GEMM +\| built-in tiled kernel \(cuBLAS not loaded: no libcublas found \(looked for libcublas\.so\.13, libcublas\.so\.12, libcublas\.so on the library path/,
    );
  });

  it('multiplies matrices on the CPU as a float64 reference does, and trains a GCN on Cora', () => {
    const script = `
      import { datasets, devices, fit, GCN, matmul, NodeData, Tensor } from ${JSON.stringify(join(pkg, 'dist', 'esm', 'index.js'))};
      let s = 12345;
      const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const [M, K, N] = [37, 53, 29];
      const a = Float32Array.from({ length: M * K }, rand);
      const b = Float32Array.from({ length: K * N }, rand);
      const ta = Tensor.from(a, [M, K]);
      const tb = Tensor.from(b, [K, N]);
      const tc = matmul(ta, tb);
      const c = tc.toArray();
      for (const t of [ta, tb, tc]) t.dispose();
      let maxErr = 0;
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let ref = 0;
          for (let k = 0; k < K; k++) ref += a[i * K + k] * b[k * N + j];
          maxErr = Math.max(maxErr, Math.abs(ref - c[i * N + j]));
        }
      const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
      const data = NodeData.from(cora, { device: 'cpu' });
      const model = new GCN({ inChannels: cora.numFeatures, hiddenChannels: 32, outChannels: cora.numClasses, dropout: 0.5, seed: 0 });
      const losses = [];
      const r = await fit(model, data, { epochs: 30, lr: 0.05, weightDecay: 5e-4, onEpoch: (e) => losses.push(e.trainLoss) });
      model.dispose();
      data.dispose();
      const d = devices();
      console.log(JSON.stringify({ maxErr, available: d.cuda.available, compiled: d.cuda.compiled, first: losses[0], last: losses.at(-1), testAcc: r.best.testAcc }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: pkg, encoding: 'utf8', env: env() });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number | string | boolean>;
    expect(r.compiled).toBe(true);
    if (!hasDriver) expect(r.available).toBe(false);
    // float32 products of 53 terms in [-1, 1]: a few ulps of sums of size up to ~10.
    expect(r.maxErr).toBeLessThan(1e-5);
    expect(r.last).toBeLessThan(Number(r.first) * 0.8);
    // 7 classes: chance is about 0.14; 30 epochs of a GCN reach well above 0.5.
    expect(r.testAcc).toBeGreaterThan(0.5);
  });
});
