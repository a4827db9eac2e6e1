// gatherRows, the op a mini-batch's feature rows come from: each output row is the input row its
// id names (a plain TypeScript copy is the reference), in f32 and f64, repeated and unordered ids
// included; bad ids and shapes are refused with errors naming the op and the argument.
import { describe, expect, it } from 'vitest';

import { native } from '../../lib/binding/native.js';
import { FathomError } from '../../lib/errors/FathomError.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { expectThrows } from '../helpers/apiFixtures.js';

const gather = (x: Tensor, ids: Int32Array) => {
  using index = Tensor.from(ids, [ids.length]);
  return new Tensor(native().gatherRows(x.handle(), index.handle()));
};

describe('gatherRows', () => {
  for (const dtype of ['f32', 'f64'] as const) {
    it(`copies the named rows of x in order, repeats and all (${dtype})`, () => {
      const rng = new Rng(7);
      const [N, F] = [37, 5];
      const values = rng.fillNormal(dtype === 'f32' ? new Float32Array(N * F) : new Float64Array(N * F));
      using x = Tensor.from(values, [N, F]);
      const ids = Int32Array.from({ length: 50 }, () => Math.floor(rng.nextFloat() * N));
      ids[0] = N - 1;
      ids[1] = 0;
      ids[2] = ids[3]!;
      using out = gather(x, ids);
      expect(out.shape).toEqual([50, F]);
      expect(out.dtype).toBe(dtype);
      const want = new (values.constructor as Float64ArrayConstructor)(50 * F);
      ids.forEach((v, i) => {
        for (let f = 0; f < F; f++) want[i * F + f] = values[v * F + f]!;
      });
      expect(out.toArray()).toEqual(want);
    });
  }

  it('gives an empty [0, F] for no ids', () => {
    using x = Tensor.zeros([4, 3]);
    using out = gather(x, new Int32Array(0));
    expect(out.shape).toEqual([0, 3]);
  });

  it('refuses ids out of range, an index that is not i32 and an x that is not a matrix', () => {
    using x = Tensor.zeros([4, 3]);
    expectThrows(() => gather(x, Int32Array.of(0, 4)), FathomError, 'gatherRows', 'index[1] = 4');
    expectThrows(() => gather(x, Int32Array.of(-1)), FathomError, 'gatherRows', 'index[0] = -1');
    using floats = Tensor.from(new Float32Array([0, 1]), [2]);
    expect(() => native().gatherRows(x.handle(), floats.handle())).toThrow(/gatherRows.*index/);
    using flat = Tensor.zeros([12]);
    using ids = Tensor.from(Int32Array.of(0), [1]);
    expect(() => native().gatherRows(flat.handle(), ids.handle())).toThrow(/gatherRows.*x/);
  });
});
