import { native } from '../binding/native.js';
import { requireObject } from '../errors/args.js';
import { FathomError } from '../errors/FathomError.js';

/** Limits on the live tensor bytes of each device; `Infinity` is no limit. */
export interface MemoryLimit {
  cpu: number;
  cuda: number;
}

/**
 * The memory budget: the live tensor bytes each device may hold. Every allocation is checked
 * against it, so requests that each fit in memory but together do not fail with `FathomError`
 * `OUT_OF_MEMORY` (naming the op, the request, the live bytes and the limit) instead of getting
 * the process OOM-killed; after freeing tensors, allocation works again. By default the CPU may
 * hold 80 % of physical memory (or of the container's memory limit, where lower) and CUDA 90 %
 * of GPU 0's memory.
 *
 * @example
 * const { cpu } = getMemoryLimit();
 * console.log(`tensors may hold ${(cpu / 2 ** 30).toFixed(1)} GiB of host memory`);
 */
export function getMemoryLimit(): MemoryLimit {
  return native().getMemoryLimit();
}

/**
 * Sets the memory budget of the devices named (bytes, a whole number ≥ 0, or `Infinity` for no
 * limit); the others keep theirs. A limit below what is live now fails every allocation on that
 * device until enough is freed.
 *
 * @example
 * const saved = getMemoryLimit();
 * setMemoryLimit({ cpu: 8 * 2 ** 30 });   // this process's tensors: at most 8 GiB of RAM
 * // ... later
 * setMemoryLimit(saved);
 */
export function setMemoryLimit(limit: Partial<MemoryLimit>): void {
  const op = 'setMemoryLimit';
  requireObject(op, 'limit', limit);
  for (const key of Object.keys(limit)) {
    if (key !== 'cpu' && key !== 'cuda') throw new FathomError(`${op}: unknown device '${key}' (expected cpu, cuda)`, 'RANGE');
  }
  for (const device of ['cpu', 'cuda'] as const) {
    const bytes = limit[device];
    if (bytes === undefined) continue;
    if (typeof bytes !== 'number') throw new TypeError(`${op}: limit.${device} must be a number of bytes, got ${typeof bytes}`);
    native().setMemoryLimit(device, bytes);
  }
}
