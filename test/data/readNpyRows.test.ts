// Rows of a .npy matrix read by seeking, against the values the test wrote (plain TypeScript
// indexing of the same numbers) and against the whole-file parser.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseNpy } from '../../lib/data/formats/parseNpy.js';
import { readNpyHeader, readNpyRows } from '../../lib/data/formats/readNpyRows.js';
import { resolveLimits } from '../../lib/data/io/limits.js';
import { encodeNpy, type NpyDtype, type NpyOptions } from '../helpers/npyWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'fathom-npyrows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, n: number, f: number, dtype: NpyDtype, o: NpyOptions = {}): { path: string; values: number[] } {
  // Distinct values of every magnitude, so a row read from the wrong offset cannot match.
  const values = Array.from({ length: n * f }, (_, i) => Math.sin(i * 12.9898 + n) * 10 ** ((i % 5) - 2));
  const path = join(dir, name);
  writeFileSync(path, encodeNpy(values, [n, f], dtype, o));
  return { path, values };
}

const rowsOf = (values: number[], f: number, ids: number[], Ctor: Float32ArrayConstructor | Float64ArrayConstructor) =>
  Ctor.from(ids.flatMap((v) => values.slice(v * f, (v + 1) * f)));

describe('readNpyRows', () => {
  it('returns float32 rows in the order asked, runs, repeats and gaps included, as the values written', () => {
    const { path, values } = fixture('x32.npy', 50, 7, 'float32');
    const ids = [3, 4, 5, 6, 0, 49, 49, 20, 21, 10];
    const got = readNpyRows(path, Int32Array.from(ids));
    expect(got.dtype).toBe('float32');
    expect([got.numRows, got.numFeatures]).toEqual([10, 7]);
    expect(got.rows).toEqual(rowsOf(values, 7, ids, Float32Array));
  });

  it('reads every row bit for bit as the whole-file parser does, for float64 big-endian and format version 2', () => {
    const { path } = fixture('x64be.npy', 33, 5, 'float64', { bigEndian: true, version: 2 });
    const whole = parseNpy(readFileSync(path), 'x64be.npy', resolveLimits(undefined));
    const got = readNpyRows(
      path,
      Int32Array.from({ length: 33 }, (_, i) => i),
    );
    expect(got.rows).toBeInstanceOf(Float64Array);
    expect(got.rows).toEqual(whole.data);
  });

  it('returns no values for no ids', () => {
    const { path } = fixture('x0.npy', 4, 3, 'float32');
    expect(readNpyRows(path, new Int32Array(0)).rows.length).toBe(0);
  });

  it('reads the header alone: dtype, shape and where row 0 starts', () => {
    const { path } = fixture('h.npy', 12, 9, 'float32');
    expect(readNpyHeader(path)).toEqual({ dtype: 'float32', shape: [12, 9], littleEndian: true, dataStart: 128 });
  });

  it('refuses a Fortran-order matrix, saying how to save it', () => {
    const { path } = fixture('xf.npy', 6, 4, 'float32', { fortran: true });
    expect(() => readNpyRows(path, new Int32Array([0]))).toThrow(/readNpyRows: xf\.npy: is in Fortran order.*np\.ascontiguousarray/);
  });

  it('refuses integer dtypes and arrays that are not matrices', () => {
    const ints = join(dir, 'i.npy');
    writeFileSync(ints, encodeNpy([1, 2, 3, 4], [2, 2], 'int32'));
    expect(() => readNpyRows(ints, new Int32Array([0]))).toThrow(/readNpyRows: i\.npy: dtype '<i4' is not float32 or float64/);
    const vec = join(dir, 'v.npy');
    writeFileSync(vec, encodeNpy([1, 2, 3], [3], 'float32'));
    expect(() => readNpyRows(vec, new Int32Array([0]))).toThrow(/readNpyRows: v\.npy: shape \(3,\) is not a matrix/);
  });

  it('names the first id outside the rows, and a file shorter than its header says', () => {
    const { path } = fixture('r.npy', 5, 2, 'float32');
    expect(() => readNpyRows(path, new Int32Array([1, 5]))).toThrow(/readNpyRows: row id 5 at position 1 is not in \[0, 5\)/);
    const short = join(dir, 'short.npy');
    writeFileSync(short, encodeNpy(new Array(10).fill(1), [5, 2], 'float32').subarray(0, 128 + 30));
    expect(() => readNpyHeader(short)).toThrow(/readNpyRows: short\.npy: header says shape \(5, 2\) but the file holds 7 values/);
  });

  it('refuses a file that is not .npy', () => {
    const txt = join(dir, 'x.csv');
    writeFileSync(txt, '1,2,3\n4,5,6\n');
    expect(() => readNpyHeader(txt)).toThrow(/readNpyRows: x\.csv: not a \.npy file/);
  });
});
