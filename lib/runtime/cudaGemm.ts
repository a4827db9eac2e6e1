import type { DevicesReport } from '../binding/types.js';

/**
 * The GEMM that runs on the GPU, in words: cuBLAS with its version and file when the addon loaded
 * libcublas at run time, else the built-in tiled kernel and why cuBLAS is not in use. '-' in a
 * CPU-only build.
 *
 * @example
 * cudaGemm(devices().cuda); // 'cuBLAS 13.0.2 (/usr/local/cuda/lib64/libcublas.so.13)'
 */
export function cudaGemm(cuda: DevicesReport['cuda']): string {
  if (!cuda.compiled) return '-';
  if (cuda.cublas) {
    const version = cuda.cublasVersion ? ` ${cuda.cublasVersion}` : '';
    return `cuBLAS${version} (${cuda.cublasLibrary ?? 'libcublas'})`;
  }
  return `built-in tiled kernel (cuBLAS not loaded: ${cuda.cublasReason ?? 'unknown reason'})`;
}

/** The same, short, for a run's provenance: 'cuBLAS 13.0.2' or 'built-in tiled kernel'. */
export function cudaGemmShort(cuda: DevicesReport['cuda']): string {
  if (!cuda.cublas) return 'built-in tiled kernel';
  return cuda.cublasVersion ? `cuBLAS ${cuda.cublasVersion}` : 'cuBLAS';
}
