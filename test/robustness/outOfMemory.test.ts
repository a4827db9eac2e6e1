// Host allocations that cannot succeed become a FathomError the program can handle, and
// the process goes on allocating normally afterwards.
import { describe, expect, it } from 'vitest';

import { FathomError, Tensor } from '../../lib/index.js';
import { expectThrows, liveCpu } from '../helpers/apiFixtures.js';

describe('host out-of-memory', () => {
  for (const [what, shape, dtype, bytes] of [
    ['4 TiB of f32', [2 ** 40], 'f32', 2 ** 42],
    ['2^52 bytes of f64 in two dimensions', [2 ** 26, 2 ** 23], 'f64', 2 ** 52],
    ["2^53 bytes, beyond any machine's memory", [2 ** 50], 'f64', 2 ** 53],
  ] as const) {
    it(`turns a request for ${what} into OUT_OF_MEMORY naming the size, then allocates normally`, () => {
      const before = liveCpu();
      const e = expectThrows(() => Tensor.zeros(shape, { dtype }), FathomError, `could not allocate ${BigInt(bytes)} bytes`);
      expect((e as FathomError).code).toBe('OUT_OF_MEMORY');
      expect(liveCpu()).toEqual(before);
      using small = Tensor.full([4], 2);
      expect(Array.from(small.toArray())).toEqual([2, 2, 2, 2]);
    });
  }

  // An element count past 64 bits would wrap in int64 and allocate a tiny buffer for a huge
  // shape; it is rejected before the product is formed.
  it('rejects a shape whose element count overflows 64 bits with a FathomError RANGE naming the shape', () => {
    let t: Tensor | undefined;
    try {
      const e = expectThrows(() => (t = Tensor.zeros([2 ** 32, 2 ** 32], { dtype: 'u8' })), FathomError, 'Tensor.empty', '[4294967296, 4294967296]');
      expect((e as FathomError).code).toBe('RANGE');
    } finally {
      t?.dispose();
    }
  });
});
