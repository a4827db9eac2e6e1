import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FathomError } from '../../lib/errors/FathomError.js';
import { decodeSafetensors } from '../../lib/io/decodeSafetensors.js';
import { encodeSafetensors } from '../../lib/io/encodeSafetensors.js';
import { readSafetensors } from '../../lib/io/readSafetensors.js';
import { writeSafetensors } from '../../lib/io/writeSafetensors.js';
import { expectThrows } from '../helpers/apiFixtures.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-st-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** A safetensors file built by hand from the specification, independent of the writer. */
function handMade(header: object, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

describe('safetensors', () => {
  it('writes the byte layout the specification describes', () => {
    const bytes = encodeSafetensors({ b: { data: new Int32Array([7, -1]), shape: [2] }, a: { data: new Float32Array([1.5]), shape: [1, 1] } }, { k: 'v' });
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
    expect((8 + n) % 8).toBe(0);
    expect(header).toEqual({
      __metadata__: { k: 'v' },
      a: { dtype: 'F32', shape: [1, 1], data_offsets: [0, 4] },
      b: { dtype: 'I32', shape: [2], data_offsets: [4, 12] },
    });
    expect(bytes.readFloatLE(8 + n)).toBe(1.5);
    expect(bytes.readInt32LE(8 + n + 4)).toBe(7);
    expect(bytes.readInt32LE(8 + n + 8)).toBe(-1);
  });

  it('reads back every dtype bit for bit, metadata included', () => {
    const f64 = new Float64Array([Math.PI, -0, 1e-310, Number.MAX_VALUE]);
    const path = join(tmp, 'x.safetensors');
    writeSafetensors(
      path,
      {
        f32: { data: new Float32Array([0.1, -2, 3e38]), shape: [3] },
        f64: { data: f64, shape: [2, 2] },
        i32: { data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]), shape: [2] },
        u8: { data: new Uint8Array([0, 255, 9]), shape: [3, 1] },
        empty: { data: new Float32Array(0), shape: [0, 5] },
      },
      { epoch: '3', note: 'ünïcode' },
    );
    const { tensors, metadata } = readSafetensors(path);
    expect(metadata).toEqual({ epoch: '3', note: 'ünïcode' });
    expect(tensors.get('f32')!.data).toEqual(new Float32Array([0.1, -2, 3e38]));
    expect(Object.is(tensors.get('f64')!.data[1], -0)).toBe(true);
    expect(tensors.get('f64')!.data).toEqual(f64);
    expect(tensors.get('f64')!.shape).toEqual([2, 2]);
    expect(tensors.get('i32')!.data).toEqual(new Int32Array([-(2 ** 31), 2 ** 31 - 1]));
    expect(tensors.get('u8')!.dtype).toBe('U8');
    expect(tensors.get('empty')!.shape).toEqual([0, 5]);
  });

  it('reads a hand-made file with an unpadded header and unaligned data', () => {
    const data = Buffer.alloc(9);
    data.writeUInt8(5, 0);
    data.writeDoubleLE(2.25, 1);
    const file = handMade({ u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, d: { dtype: 'F64', shape: [], data_offsets: [1, 9] } }, data);
    const { tensors } = decodeSafetensors(file);
    expect(tensors.get('d')!.data[0]).toBe(2.25);
    expect(tensors.get('u')!.data[0]).toBe(5);
  });

  const d4 = Buffer.alloc(8);
  const bad: [string, () => Buffer, RegExp][] = [
    ['a file shorter than 8 bytes', () => Buffer.alloc(5), /shorter than the 8-byte/],
    [
      'a header length beyond the file',
      () => {
        const b = handMade({}, d4);
        b.writeBigUInt64LE(2n ** 63n);
        return b;
      },
      /exceeds the/,
    ],
    [
      'a header that is not JSON',
      () => {
        const b = handMade({ a: 1 }, d4);
        b[9] = 0x7b;
        b[10] = 0x7b;
        return b;
      },
      /not UTF-8 JSON/,
    ],
    ['a header that is a JSON array', () => handMade([1], Buffer.alloc(0)), /not a JSON object/],
    ['an unknown dtype', () => handMade({ a: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }, d4), /dtype "BF16"/],
    ['a shape that disagrees with the offsets', () => handMade({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, d4), /needs 12 bytes/],
    ['a huge shape', () => handMade({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, d4), /more than 2\^53 bytes/],
    ['a negative dimension', () => handMade({ a: { dtype: 'U8', shape: [-8], data_offsets: [0, 8] } }, d4), /invalid shape/],
    ['offsets past the end', () => handMade({ a: { dtype: 'U8', shape: [16], data_offsets: [0, 16] } }, d4), /outside the 8-byte/],
    [
      'overlapping tensors',
      () => handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, d4),
      /overlap or gap/,
    ],
    ['a gap between tensors', () => handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, d4), /overlap or gap/],
    ['trailing bytes', () => handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, d4), /cover 4 bytes/],
    ['non-string metadata', () => handMade({ __metadata__: { a: 1 } }, Buffer.alloc(0)), /not a string/],
  ];
  for (const [what, make, pattern] of bad) {
    it(`rejects ${what} with an IO error`, () => {
      const e = expectThrows(() => decodeSafetensors(make()), FathomError, pattern);
      expect((e as FathomError).code).toBe('IO');
    });
  }

  it('rejects a missing file with an IO error naming it', () => {
    const e = expectThrows(() => readSafetensors(join(tmp, 'nope.safetensors')), FathomError, 'nope.safetensors');
    expect((e as FathomError).code).toBe('IO');
  });

  it('replaces a file atomically and leaves no temporary behind', () => {
    const path = join(tmp, 'w.safetensors');
    writeFileSync(path, 'old');
    writeSafetensors(path, { a: { data: new Uint8Array([1]), shape: [1] } });
    expect(readSafetensors(path).tensors.get('a')!.data[0]).toBe(1);
    expect(readFileSync(path).length).toBeGreaterThan(8);
    expect(readdirSync(tmp)).toEqual(['w.safetensors']);
  });
});
