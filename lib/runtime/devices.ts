import { native } from '../binding/native.js';
import { FathomError } from '../errors/FathomError.js';
import type { DeviceMemory, DevicesReport } from '../binding/types.js';
import type { Device } from '../tensor/dtype.js';
import { cudaUnavailable } from './cudaStatus.js';

/**
 * What this build can run on, and why CUDA is unavailable when it is.
 *
 * @example
 * const { cuda } = devices();
 * if (!cuda.available) console.log(cuda.reason);
 */
export function devices(): DevicesReport {
  const report = native().devices();
  const { cuda } = report;
  if (cuda.available) return report;
  const why = cudaUnavailable(cuda.compiled, cuda.probe, cuda.reason);
  return { ...report, cuda: { ...cuda, reason: why?.message ?? cuda.reason, unavailable: why?.kind ?? 'other' } };
}

let cudaReason: string | null | undefined;

/**
 * Throws a DEVICE error that says why (no driver, a driver too old, no device, not compiled in)
 * when CUDA cannot be used, before an operation reaches the CUDA runtime and fails with its own
 * words. The answer is kept: drivers and devices do not come and go within a process.
 */
export function assertCudaUsable(op: string): void {
  if (cudaReason === undefined) {
    const { cuda } = devices();
    cudaReason = cuda.available ? null : (cuda.reason ?? 'unknown reason');
  }
  if (cudaReason !== null) throw new FathomError(`${op}: CUDA is unavailable: ${cudaReason}`, 'DEVICE');
}

/** 'auto' becomes 'cuda' when a GPU answers, else 'cpu'; 'cuda' without one is an error. */
export function resolveDevice(device: Device | 'auto' = 'auto'): Device {
  if (device !== 'auto' && device !== 'cpu' && device !== 'cuda') {
    throw new RangeError(`device '${String(device)}' is not one of auto, cpu, cuda`);
  }
  if (device === 'cpu') return 'cpu';
  const cuda = devices().cuda;
  if (device === 'cuda' && !cuda.available) throw new RangeError(`device 'cuda' is unavailable: ${cuda.reason ?? 'unknown reason'}`);
  return cuda.available ? 'cuda' : 'cpu';
}

/**
 * Live native tensors and bytes per device, the peak since start or the last reset, and the
 * memory budget (`limit`, see setMemoryLimit).
 *
 * @example
 * const before = memory().cpu.tensors;
 */
export function memory(): { cpu: DeviceMemory; cuda: DeviceMemory } {
  return native().memory();
}

/** Resets the peak counters of memory(). */
export function resetPeakMemory(): void {
  native().resetPeakMemory();
}

/**
 * Returns the memory blocks kept for reuse (CPU and CUDA) to the system. Freed tensors' blocks
 * are cached by size so a training step does not map fresh memory each time; call this after
 * freeing something large that will not be allocated again (a loaded dataset's dense copy, an
 * evaluation at another batch size) to bring resident memory down.
 *
 * @example
 * bigTensor.dispose();
 * emptyCache();
 */
export function emptyCache(): void {
  native().emptyCache();
}

/**
 * Deterministic mode: with it on, CPU results are bit-identical across thread counts, not only
 * run to run (GEMM then uses Fathom's own kernel instead of OpenBLAS, typically 3–5× slower for
 * large products). Off by default. Every other CPU kernel is thread-count independent anyway.
 *
 * @example
 * setDeterministic(true);
 */
export function setDeterministic(on: boolean): void {
  if (typeof on !== 'boolean') throw new TypeError('setDeterministic: argument on must be a boolean');
  native().setDeterministic(on);
}

/** Sets the number of CPU threads (OpenMP and OpenBLAS together). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: n must be a positive integer, got ${n}`);
  native().setNumThreads(n);
}
