// cuBLAS is opened at run time (native/cuda/cublas_loader.cc): what the addon reports for each way
// loading can go, each in a child process since the library is looked for once per process.
// FATHOM_CUBLAS points the loader at one file (or turns it off); a stand-in library compiled here
// exports cuBLAS's entry points, so the success path is checked without cuBLAS or a GPU (its
// functions are never called: without a GPU no GEMM reaches them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { addonCandidates, currentTarget } from '../../lib/binding/addonCandidates.js';
import type { DevicesReport } from '../../lib/binding/types.js';
import { native } from '../../lib/binding/native.js';
import { REPO_ROOT } from '../helpers/apiFixtures.js';

const ADDON = addonCandidates(REPO_ROOT, currentTarget()).find((p) => existsSync(p));
const cudaCompiled = ADDON !== undefined && native().cudaCompiled;
const hasCc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
const dirs: string[] = [];

/** devices().cuda of a fresh process that loads the addon with FATHOM_CUBLAS set to `value`. */
function cudaReport(value: string): DevicesReport['cuda'] {
  const env: NodeJS.ProcessEnv = { ...process.env, FATHOM_CUBLAS: value };
  const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(ADDON)}).devices().cuda))`], { encoding: 'utf8', env });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DevicesReport['cuda'];
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.runIf(cudaCompiled)('the cuBLAS loader', () => {
  it('reports cuBLAS not loaded, naming the file, when the library is missing', () => {
    const cuda = cudaReport('/nonexistent/libcublas.so.13');
    expect(cuda.cublas).toBe(false);
    expect(cuda.cublasLibrary).toBeUndefined();
    expect(cuda.cublasReason).toBe('FATHOM_CUBLAS=/nonexistent/libcublas.so.13: no libcublas found (looked for libcublas.so.13 in /nonexistent)');
  });

  it('refuses a library that is not cuBLAS, naming the entry points it lacks', () => {
    const cuda = cudaReport('libm.so.6');
    expect(cuda.cublas).toBe(false);
    expect(cuda.cublasReason).toMatch(/^FATHOM_CUBLAS=libm\.so\.6: libm\.so\.6 does not export cublasCreate_v2, cublasSetStream_v2, cublasSetMathMode, /);
    expect(cuda.cublasReason).toContain('cublasSgemm_v2, cublasDgemm_v2, cublasGetStatusName, cublasGetStatusString');
  });

  it('is turned off by FATHOM_CUBLAS=off', () => {
    const cuda = cudaReport('off');
    expect(cuda.cublas).toBe(false);
    expect(cuda.cublasReason).toBe('turned off by FATHOM_CUBLAS=off');
  });

  it.runIf(hasCc)("loads a library that exports cuBLAS's entry points and reports its file and version", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fathom-cublas-'));
    dirs.push(dir);
    const src = join(dir, 'stand_in.c');
    const lib = join(dir, 'libcublas.so.13');
    // The signatures do not matter to dlsym; cublasGetProperty answers 13.0.2 by property index.
    writeFileSync(
      src,
      [
        'int cublasCreate_v2(void **h) { *h = 0; return 1; }',
        'int cublasSetStream_v2(void) { return 0; }',
        'int cublasSetMathMode(void) { return 0; }',
        'int cublasSetPointerMode_v2(void) { return 0; }',
        'int cublasSgemm_v2(void) { return 0; }',
        'int cublasDgemm_v2(void) { return 0; }',
        'const char *cublasGetStatusName(int s) { (void)s; return "CUBLAS_STATUS_NOT_INITIALIZED"; }',
        'const char *cublasGetStatusString(int s) { (void)s; return "the library was not initialized"; }',
        'int cublasGetProperty(int type, int *value) { static const int v[3] = {13, 0, 2}; *value = v[type]; return 0; }',
      ].join('\n'),
    );
    const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', lib, src], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const cuda = cudaReport(lib);
    expect(cuda.cublas).toBe(true);
    expect(cuda.cublasLibrary).toBe(lib);
    expect(cuda.cublasVersion).toBe('13.0.2');
    expect(cuda.cublasReason).toBeUndefined();
  });
});
