import { describe, expect, it } from 'vitest';
import { type DatasetError, parseNpy, readZip } from '../../lib/data/index.js';
import { encodeNpy, encodeNpz, encodeZip, type NpyDtype } from '../helpers/npyWriter.js';

const limits = { maxBytes: 1 << 30 };

/** Runs `fn` and returns what it threw, failing the test when nothing was thrown. */
function thrown(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    return err as DatasetError;
  }
  throw new Error('expected an error, but the call returned normally');
}

describe('parseNpy', () => {
  // 2 x 3, values that survive every dtype: small non-negative integers.
  const values = [0, 1, 2, 3, 4, 5];
  const cases: [NpyDtype, 1 | 2 | 3, boolean, boolean][] = [];
  for (const dtype of ['float32', 'float64', 'int32', 'int64', 'uint8'] as const) {
    for (const version of [1, 2, 3] as const) for (const bigEndian of [false, true]) cases.push([dtype, version, bigEndian, false]);
    cases.push([dtype, 1, false, true]);
    cases.push([dtype, 2, true, true]);
  }
  it.each(cases)('reads %s, format version %d, big-endian %s, Fortran order %s, into C order', (dtype, version, bigEndian, fortran) => {
    const a = parseNpy(encodeNpy(values, [2, 3], dtype, { version, bigEndian, fortran }), 'a.npy', limits);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe(dtype);
    expect(Array.from(a.data)).toEqual(values);
  });

  it('reads bools and fractional, negative and large values exactly', () => {
    expect(Array.from(parseNpy(encodeNpy([1, 0, 1], [3], 'bool'), 'm.npy', limits).data)).toEqual([1, 0, 1]);
    const f64 = [-1.5, 1e-300, 123456789.125];
    expect(Array.from(parseNpy(encodeNpy(f64, [3], 'float64', { bigEndian: true }), 'f.npy', limits).data)).toEqual(f64);
    expect(Array.from(parseNpy(encodeNpy([-7, 2 ** 40], [2], 'int64'), 'i.npy', limits).data)).toEqual([-7, 2 ** 40]);
  });

  it('names the file and both counts when the data is shorter than the header says', () => {
    const buf = encodeNpy(new Array(40).fill(1), [40], 'float32');
    const bad = Buffer.from(buf.toString('latin1').replace('(40,), }', '(10, 5)}'), 'latin1');
    expect(thrown(() => parseNpy(bad, 'x.npy', limits)).message).toBe('loadDataset: x.npy: header says shape (10, 5) but the file holds 40 values');
  });

  it('refuses a shape over the memory budget before allocating, and dtypes it does not read', () => {
    const huge = Buffer.from(encodeNpy([1], [1], 'float32').toString('latin1').replace("'shape': (1,), ", "'shape': (9999999999,)"), 'latin1');
    const err = thrown(() => parseNpy(huge, 'big.npy', limits));
    expect(err.code).toBe('ELIMIT');
    expect(err.message).toMatch(/^loadDataset: big\.npy declares .* over the memory budget/);
    const c8 = Buffer.from(encodeNpy([1, 2], [2], 'float32').toString('latin1').replace("'<f4'", "'<c8'"), 'latin1');
    expect(thrown(() => parseNpy(c8, 'c.npy', limits)).message).toMatch(/c\.npy: dtype '<c8' is not one Fathom reads/);
    expect(thrown(() => parseNpy(Buffer.from('hello'), 'h.npy', limits)).code).toBe('EFORMAT');
  });
});

describe('readZip', () => {
  const entries = { 'a.npy': encodeNpy([1, 2, 3], [3], 'int32'), 'b.txt': Buffer.from('hello '.repeat(100)) };
  it.each([true, false])('returns every entry of an archive (deflated: %s) byte for byte', (compress) => {
    const got = readZip(encodeZip(entries, compress), 'd.npz', limits);
    expect([...got.keys()]).toEqual(['a.npy', 'b.txt']);
    for (const [k, v] of Object.entries(entries)) expect(got.get(k)!.equals(v)).toBe(true);
  });

  it('detects a corrupted entry by its CRC-32, and a truncated archive', () => {
    const zip = encodeNpz({ x: [[1, 2, 3, 4], [4], 'float32'] }, false);
    const bad = Buffer.from(zip);
    bad[30 + 'x.npy'.length + 130] ^= 0xff;
    expect(thrown(() => readZip(bad, 'd.npz', limits)).message).toBe('loadDataset: d.npz: entry x.npy fails its CRC-32 check; the archive is corrupt');
    expect(thrown(() => readZip(zip.subarray(0, zip.length - 30), 'd.npz', limits)).message).toMatch(/d\.npz: not a zip archive, or a truncated one/);
  });

  it('refuses an entry whose declared size is over the budget before inflating it', () => {
    const zip = encodeZip({ 'x.npy': Buffer.alloc(1 << 20) }, true);
    const err = thrown(() => readZip(zip, 'bomb.npz', { maxBytes: 1 << 16 }));
    expect(err.code).toBe('ELIMIT');
  });
});
