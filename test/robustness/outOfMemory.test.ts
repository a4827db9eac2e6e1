// Host allocations that cannot succeed become a FathomError the program can handle, and
// the process goes on allocating normally afterwards.
import { describe, expect, it } from 'vitest';

import { FathomError, Tensor } from '../../lib/index.js';
import { expectThrows, liveCpu } from '../helpers/apiFixtures.js';

describe('host out-of-memory', () => {
  for (const [what, shape, dtype, bytes] of [
    ['4 TiB of f32', [2 ** 40], 'f32', 2 ** 42],
    ['2^52 bytes of f64 in two dimensions', [2 ** 26, 2 ** 23], 'f64', 2 ** 52],
    ['2^53 bytes, beyond any machine\'s memory', [2 ** 50], 'f64', 2 ** 53],
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

  // Known bug outside this module: the native shape_numel() multiplies in int64 without an
  // overflow check, so [2^32, 2^32] wraps to 0 elements and a 0-byte tensor is returned
  // whose JS numel is 2^64. The fix belongs in native/napi/convert.cc (shape_arg) or
  // native/core/tensor.cc; this test flips to passing, and fails as it.fails, once fixed.
  it.fails('rejects a shape whose element count overflows 64 bits (known bug: int64 wrap in shape_numel)', () => {
    let t: Tensor | undefined;
    try {
      expectThrows(() => (t = Tensor.zeros([2 ** 32, 2 ** 32], { dtype: 'u8' })), FathomError, 'could not allocate');
    } finally {
      t?.dispose();
    }
  });
});
