// The prebuilt addon, where `npm run build:prebuild` has made one: OpenBLAS, the CUDA backend when
// its manifest says so (the CUDA runtime linked in, cuBLAS opened at run time), every shared
// library it needs beside it or part of glibc, and a manifest whose checksums match.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

import type { NativeBinding } from '../../lib/binding/types.js';
import { cudaUnavailable } from '../../lib/runtime/cudaStatus.js';
import { REPO_ROOT } from '../helpers/apiFixtures.js';

const DIR = join(REPO_ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
const ADDON = join(DIR, 'fathom.node');

describe.runIf(existsSync(ADDON))('the prebuilt addon', () => {
  const manifest = () => JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { files: Record<string, string>; libc: string; backend: string };

  it('has OpenBLAS, and the CUDA backend exactly when its manifest says so', () => {
    const b = createRequire(import.meta.url)(ADDON) as NativeBinding;
    const d = b.devices();
    expect(d.cpu.blas).toMatch(/OpenBLAS/);
    expect(['cpu', 'cpu+cuda']).toContain(manifest().backend);
    expect(d.cuda.compiled).toBe(manifest().backend === 'cpu+cuda');
    if (!d.cuda.compiled) expect(cudaUnavailable(d.cuda.compiled, d.cuda.probe, d.cuda.reason)?.message).toMatch(/^CUDA not compiled in/);
  });

  it('needs no CUDA library: the CUDA runtime is linked in and cuBLAS is opened at run time', () => {
    const needed = execFileSync('objdump', ['-p', ADDON], { encoding: 'utf8' }).match(/NEEDED\s+\S+/g) ?? [];
    expect(needed.length).toBeGreaterThan(0);
    expect(needed.filter((n) => /lib(cuda|cudart|cublas|cublasLt)\.so/.test(n))).toEqual([]);
  });

  it('finds every library outside glibc in its own folder, through an rpath of $ORIGIN', () => {
    const ldd = execFileSync('ldd', [ADDON], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '' } });
    const resolved = [...ldd.matchAll(/^\s*(\S+) => (\S+)/gm)].map((m) => [m[1], m[2]]);
    const outside = resolved.filter(([name, file]) => !/^(libc|libm|libdl|libpthread|librt)\.so/.test(name) && dirname(file) !== DIR);
    expect(outside).toEqual([]);
    expect(execFileSync('objdump', ['-p', ADDON], { encoding: 'utf8' })).toMatch(/RUNPATH\s+\$ORIGIN\n/);
  });

  it('matches the checksums in its manifest', () => {
    const m = manifest();
    expect(m.libc).toBe('glibc');
    for (const [file, sum] of Object.entries(m.files)) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(DIR, file)))
          .digest('hex'),
        file,
      ).toBe(sum);
    }
  });
});
