import { DatasetError } from '../datasetError.js';
import { checkBudget, type LoadLimits } from '../io/limits.js';
import type { NdArray, NdData } from './NdArray.js';
import { requireBuffer } from '../io/requireBuffer.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** numpy type codes Fathom reads, by kind and item size. */
const TYPES: Record<string, { name: string; size: number }> = {
  f4: { name: 'float32', size: 4 },
  f8: { name: 'float64', size: 8 },
  i4: { name: 'int32', size: 4 },
  i8: { name: 'int64', size: 8 },
  u1: { name: 'uint8', size: 1 },
  i1: { name: 'int8', size: 1 },
  b1: { name: 'bool', size: 1 },
};

/** Whether a buffer starts with the `.npy` magic string. */
export function isNpy(buf: Buffer): boolean {
  return buf.length >= 6 && MAGIC.every((b, i) => buf[i] === b);
}

/**
 * Decodes a NumPy `.npy` file (format versions 1, 2 and 3; little- or big-endian float32,
 * float64, int32, int64, int8, uint8, bool; C or Fortran order) into a C-order array. The
 * header's shape is checked against the memory budget before anything is allocated, and
 * against the bytes the file actually holds.
 *
 * @throws DatasetError `EFORMAT` naming the file and the problem (`x.npy: header says shape (10, 5) but the file holds 40 values`).
 * @example
 * const a = parseNpy(readFileSync('x.npy'), 'x.npy', limits); // { dtype: 'float32', shape: [N, F], data }
 */
export function parseNpy(buf: Buffer, label: string, limits: LoadLimits): NdArray {
  requireBuffer('parseNpy', buf);
  const fail = (msg: string): DatasetError => new DatasetError('EFORMAT', `loadDataset: ${label}: ${msg}`);
  if (!isNpy(buf)) throw fail('not a .npy file (it does not start with \\x93NUMPY)');
  if (buf.length < 10) throw fail('the file ends inside its header');
  const major = buf[6]!;
  if (major < 1 || major > 3) throw fail(`.npy format version ${major}.${buf[7]} is not one Fathom reads (1, 2 or 3)`);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = lenBytes === 2 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > buf.length) throw fail(`the header claims ${headerLen} bytes but the file has ${buf.length - 8 - lenBytes}`);
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', 8 + lenBytes, dataStart);

  const descr = /'descr'\s*:\s*'([<>|=])([a-z])(\d+)'/.exec(header);
  const order = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !order || !shapeText) throw fail(`cannot read the header ${JSON.stringify(header.trim().slice(0, 120))}`);
  const type = TYPES[descr[2]! + descr[3]!];
  if (!type) throw fail(`dtype '${descr[1]}${descr[2]}${descr[3]}' is not one Fathom reads (float32, float64, int32, int64, int8, uint8, bool)`);
  const shape = shapeText[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw fail(`bad shape (${shapeText[1]})`);
  const count = shape.reduce((a, d) => a * d, 1);
  const outSize = type.size === 8 ? 8 : type.size;
  checkBudget(label, { [`array of shape (${shape.join(', ')})`]: count * outSize }, limits);
  const held = Math.floor((buf.length - dataStart) / type.size);
  if (held !== count || (buf.length - dataStart) % type.size !== 0) {
    throw fail(`header says shape (${shape.join(', ')}) but the file holds ${held} values${(buf.length - dataStart) % type.size ? ' and a partial one' : ''}`);
  }

  const little = descr[1] !== '>';
  const view = new DataView(buf.buffer, buf.byteOffset + dataStart, count * type.size);
  let data: NdData;
  switch (type.name) {
    case 'float32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(4 * i, little);
      data = a;
      break;
    }
    case 'float64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(8 * i, little);
      data = a;
      break;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(4 * i, little);
      data = a;
      break;
    }
    case 'int64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, little);
        if (v > 2n ** 53n || v < -(2n ** 53n)) throw fail(`entry ${i} is ${v}, too large for Fathom (more than 2^53)`);
        a[i] = Number(v);
      }
      data = a;
      break;
    }
    case 'int8': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt8(i);
      data = a;
      break;
    }
    default:
      data = Uint8Array.from(buf.subarray(dataStart, dataStart + count));
  }
  if (order[1] === 'True' && shape.length > 1) data = fortranToC(data, shape);
  return { dtype: type.name, shape, data };
}

/** Reorders a column-major array to row-major. */
function fortranToC(src: NdData, shape: number[]): NdData {
  const out = new (src.constructor as new (n: number) => NdData)(src.length);
  const rank = shape.length;
  // Fortran strides: the first index moves fastest.
  const fStride = new Array<number>(rank);
  let s = 1;
  for (let k = 0; k < rank; k++) {
    fStride[k] = s;
    s *= shape[k]!;
  }
  const idx = new Array<number>(rank).fill(0);
  let f = 0;
  for (let c = 0; c < src.length; c++) {
    out[c] = src[f]!;
    // Advance the C-order multi-index (last index fastest), keeping the Fortran offset in step.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      f += fStride[k]!;
      if (idx[k]! < shape[k]!) break;
      f -= fStride[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}
