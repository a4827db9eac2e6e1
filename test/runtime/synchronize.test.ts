// synchronize(device?): the barrier benchmarks put around what they time on the GPU.
import { describe, expect, it } from 'vitest';

import * as F from '../../lib/index.js';

const CUDA = F.devices().cuda.available;

function errorOf(fn: () => unknown): F.FathomError {
  try {
    fn();
  } catch (e) {
    if (e instanceof F.FathomError) return e;
    throw e;
  }
  throw new Error('expected a FathomError');
}

describe('synchronize', () => {
  it('returns at once for the CPU and with no argument', () => {
    expect(F.synchronize('cpu')).toBeUndefined();
    expect(F.synchronize()).toBeUndefined();
  });

  it('refuses a device that is not cpu or cuda, naming the value', () => {
    const e = errorOf(() => F.synchronize('gpu' as F.Device));
    expect(e.code).toBe('RANGE');
    expect(e.message).toMatch(/^synchronize: device 'gpu' is not one of cpu, cuda/);
  });

  it.skipIf(CUDA)(`says why CUDA is unavailable when asked to wait for it${CUDA ? ' (skipped: CUDA is available)' : ''}`, () => {
    const e = errorOf(() => F.synchronize('cuda'));
    expect(e.code).toBe('DEVICE');
    expect(e.message).toMatch(/^synchronize: CUDA is unavailable: /);
  });

  it.skipIf(!CUDA)(`waits for queued CUDA work, which then reads back as the CPU computes it${CUDA ? '' : ' (skipped: no CUDA device)'}`, () => {
    const n = 512;
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i) / n);
    const cpu = F.tidy(() => F.matmul(F.Tensor.from(a, [n, n]), F.Tensor.from(a, [n, n])).toArray() as Float32Array);
    const gpu = F.tidy(() => {
      const x = F.Tensor.from(a, [n, n], { device: 'cuda' });
      let y = F.matmul(x, x);
      for (let i = 0; i < 20; i++) y = F.add(y, F.scale(x, 0));
      F.synchronize('cuda');
      F.synchronize();
      return y.toArray() as Float32Array;
    });
    let worst = 0;
    for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(cpu[i]! - gpu[i]!));
    // Sums of 512 products of magnitude ≤ 1/512²: f32 rounding stays far below 1e-5.
    expect(worst).toBeLessThan(1e-5);
  });
});
