import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/data/index.js';

describe('Rng', () => {
  it('produces the same sequence for the same seed on every platform', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(seqA);
    // Pinned values: a change here silently changes every seeded dataset and initialization.
    expect(seqA).toEqual([660444221, 3652823732, 77672526, 910233633, 2297337756]);
    expect(new Rng(43).nextUint32()).not.toBe(seqA[0]);
    expect(new Rng(2 ** 32 + 42).nextUint32()).not.toBe(seqA[0]);
  });

  it('fills in bulk exactly as repeated single draws', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const bulk = a.fillUint32(new Uint32Array(1000));
    for (let i = 0; i < 1000; i++) expect(bulk[i]).toBe(b.nextUint32());
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('draws floats in [0, 1) and integers in [0, n) without bias', () => {
    const rng = new Rng(1);
    const counts = new Array<number>(6).fill(0);
    let outside = 0;
    for (let i = 0; i < 60000; i++) {
      const f = rng.nextFloat();
      if (!(f >= 0 && f < 1)) outside++;
      counts[rng.nextInt(6)]!++;
    }
    expect(outside).toBe(0);
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    for (const n of [1, 2 ** 31 + 1, 2 ** 32]) {
      const v = rng.nextInt(n);
      expect(Number.isInteger(v) && v >= 0 && v < n).toBe(true);
    }
    expect(() => rng.nextInt(0)).toThrow(RangeError);
    expect(() => rng.nextInt(1.5)).toThrow(RangeError);
  });

  it('draws standard normal samples', () => {
    const x = new Rng(3).fillNormal(new Float64Array(100000));
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it('makes permutations that hold every index once', () => {
    const p = new Rng(5).permutation(1000);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects a seed that is not a finite number', () => {
    expect(() => new Rng(Number.NaN)).toThrow(RangeError);
  });
});
