import type { Device } from '../tensor/dtype.js';
import { cudaGemmShort } from './cudaGemm.js';
import { devices } from './devices.js';
import { gitCommit } from './gitCommit.js';
import { findPackageRoot } from './packageRoot.js';
import { version } from './version.js';

/**
 * What produced a result: the Fathom build and the machine settings that change its numbers or
 * its speed. Every command's JSON (`fathom train --json`, `fathom diagnose --json`, each line
 * of a sweep's `cells.jsonl`) carries one, and `fathom report` shows them.
 */
export interface Provenance {
  /** package.json's version. */
  fathom_version: string;
  /** The commit of the package root when it is a git checkout, else null (an installed package). */
  git_commit: string | null;
  /** The device the run used. */
  device: Device;
  /** The GPU's name on 'cuda', else null. */
  gpu: string | null;
  /** CPU threads of the native core (OpenMP and OpenBLAS together; `setNumThreads`, OMP_NUM_THREADS). */
  threads: number;
  /** The CPU BLAS in use, as `fathom info` reports it. */
  blas: string;
  /** The CUDA GEMM ('cuBLAS 13.0.2', loaded at run time, or 'built-in tiled kernel') on 'cuda', else null. */
  cuda_gemm: string | null;
  /** Whether setDeterministic(true) was on (CPU results independent of the thread count). */
  deterministic: boolean;
}

/**
 * The provenance of a run on `device`, read now (the thread count can change between runs).
 *
 * @example
 * const p = provenance('cpu'); // { fathom_version: '0.1.0', git_commit: '…' | null, threads: 8, blas: 'OpenBLAS (OpenMP)', … }
 */
export function provenance(device: Device): Provenance {
  if (device !== 'cpu' && device !== 'cuda') throw new RangeError(`provenance: device must be 'cpu' or 'cuda', got ${String(device)}`);
  const d = devices();
  const root = findPackageRoot();
  const cuda = device === 'cuda';
  return {
    fathom_version: version(),
    git_commit: gitCommit(root),
    device,
    gpu: cuda ? (d.cuda.devices[0]?.name ?? null) : null,
    threads: d.cpu.threads,
    blas: d.cpu.blas,
    cuda_gemm: cuda ? cudaGemmShort(d.cuda) : null,
    deterministic: d.cpu.deterministic,
  };
}
