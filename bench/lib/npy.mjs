// Minimal .npy (format 1.0) reader and writer for the typed arrays the benchmarks exchange
// with the PyTorch reference: C order, little endian, no pickles.
import { readFileSync, writeFileSync } from 'node:fs';

/** @type {Record<string, string>} */
const DESCR = { Float32Array: '<f4', Float64Array: '<f8', Int32Array: '<i4', Uint8Array: '|u1', BigInt64Array: '<i8' };
/** @type {Record<string, Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | BigInt64ArrayConstructor>} */
const CTOR = { '<f4': Float32Array, '<f8': Float64Array, '<i4': Int32Array, '|u1': Uint8Array, '<u1': Uint8Array, '<i8': BigInt64Array };

/** @typedef {Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array} NpyArray */

/**
 * Writes `array` with `shape` (product must equal its length) to `path`.
 * @param {string} path
 * @param {NpyArray} array
 * @param {readonly number[]} shape
 */
export function writeNpy(path, array, shape) {
  const descr = DESCR[array.constructor.name];
  if (!descr) throw new TypeError(`writeNpy: unsupported array type ${array.constructor.name}`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== array.length) throw new RangeError(`writeNpy: shape [${shape}] holds ${n} values, the array ${array.length}`);
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  // magic (6) + version (2) + header length (2) + header + '\n', padded to 64 bytes
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

/**
 * Reads a .npy file written by writeNpy (or numpy): { array, shape }.
 * @param {string} path
 * @returns {{ array: NpyArray; shape: number[] }}
 */
export function readNpy(path) {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new RangeError(`readNpy: ${path} is not a .npy file`);
  const major = buf[6];
  const len = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + len);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new RangeError(`readNpy: ${path} is Fortran-ordered`);
  const Ctor = descr === undefined ? undefined : CTOR[descr];
  if (!Ctor) throw new TypeError(`readNpy: ${path} has unsupported dtype ${descr}`);
  const off = start + len;
  const bytes = buf.byteLength - off;
  // A view of the file buffer when its offset suits the element type (the header pads to 64
  // bytes, and large reads get a buffer of their own), else a copy: one copy of the data either way.
  const at = buf.byteOffset + off;
  if (at % Ctor.BYTES_PER_ELEMENT === 0) return { array: new Ctor(buf.buffer, at, bytes / Ctor.BYTES_PER_ELEMENT), shape };
  const array = new Ctor(bytes / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(array.buffer).set(buf.subarray(off));
  return { array, shape };
}
