import { native } from '../binding/native.js';
import { FathomError } from '../errors/FathomError.js';
import type { Device } from '../tensor/dtype.js';
import { assertCudaUsable } from './devices.js';

/**
 * Waits until every operation queued on `device` has finished. CUDA kernels run asynchronously:
 * an op returns once its kernel is queued, so a timer read right after it measures the launch,
 * not the work. Time GPU code between two calls of `synchronize()`. CPU ops finish before they
 * return, so `synchronize('cpu')` returns at once; with no argument every device is waited for
 * (also a no-op while nothing has run on a GPU). A kernel failure that happened since the last
 * host read surfaces here as a DEVICE error.
 *
 * @throws FathomError RANGE for a device that is not 'cpu' or 'cuda'; DEVICE for 'cuda' when
 *   CUDA cannot be used (the message says why).
 * @example
 * synchronize('cuda');
 * const t0 = performance.now();
 * propagate(op, x).dispose();
 * synchronize('cuda');
 * const ms = performance.now() - t0;
 */
export function synchronize(device?: Device): void {
  if (device !== undefined && device !== 'cpu' && device !== 'cuda') {
    throw new FathomError(`synchronize: device '${String(device)}' is not one of cpu, cuda`, 'RANGE');
  }
  if (device === 'cpu') return;
  if (device === 'cuda') assertCudaUsable('synchronize');
  native().synchronize();
}
