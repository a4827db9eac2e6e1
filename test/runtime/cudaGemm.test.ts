// How `fathom info` and a run's provenance name the GEMM on the GPU, from devices().cuda.
import { describe, expect, it } from 'vitest';

import type { DevicesReport } from '../../lib/binding/types.js';
import { cudaGemm, cudaGemmShort } from '../../lib/runtime/cudaGemm.js';

const cuda = (c: Partial<DevicesReport['cuda']>): DevicesReport['cuda'] => ({ compiled: true, available: true, cublas: false, devices: [], ...c });

describe('cudaGemm', () => {
  it('names the cuBLAS file and version that were loaded', () => {
    const c = cuda({ cublas: true, cublasLibrary: '/usr/local/cuda/lib64/libcublas.so.13', cublasVersion: '13.0.2' });
    expect(cudaGemm(c)).toBe('cuBLAS 13.0.2 (/usr/local/cuda/lib64/libcublas.so.13)');
    expect(cudaGemmShort(c)).toBe('cuBLAS 13.0.2');
  });

  it('says the built-in kernel runs, and why cuBLAS is not loaded', () => {
    const c = cuda({ cublasReason: 'no libcublas found (looked for libcublas.so.13 on the library path)' });
    expect(cudaGemm(c)).toBe('built-in tiled kernel (cuBLAS not loaded: no libcublas found (looked for libcublas.so.13 on the library path))');
    expect(cudaGemmShort(c)).toBe('built-in tiled kernel');
  });

  it('leaves out a version the library did not give', () => {
    expect(cudaGemm(cuda({ cublas: true, cublasLibrary: '/opt/libcublas.so', cublasVersion: '' }))).toBe('cuBLAS (/opt/libcublas.so)');
  });

  it('prints a dash in a CPU-only build', () => {
    expect(cudaGemm(cuda({ compiled: false, available: false }))).toBe('-');
  });
});
