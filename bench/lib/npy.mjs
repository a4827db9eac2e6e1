// Minimal .npy (format 1.0) reader and writer for the typed arrays the benchmarks exchange
// with the PyTorch reference: C order, little endian, no pickles. Files are read and written in
// chunks, so arrays past 2 GiB (a 10M-node graph's features) go through as well.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

// One read or write call moves at most this much: Node refuses single I/O calls of 2 GiB or more.
const CHUNK = 1 << 30;

/**
 * Writes all of `bytes` to the open file `fd`, chunk by chunk.
 * @param {number} fd @param {Uint8Array} bytes
 */
function writeAll(fd, bytes) {
  for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at, Math.min(CHUNK, bytes.byteLength - at));
}

/**
 * Fills `into` from the open file `fd` starting at byte `position`.
 * @param {number} fd @param {Uint8Array} into @param {number} position @param {string} path
 */
function readAll(fd, into, position, path) {
  for (let at = 0; at < into.byteLength; ) {
    const n = readSync(fd, into, at, Math.min(CHUNK, into.byteLength - at), position + at);
    if (n === 0) throw new RangeError(`readNpy: ${path} ends after ${position + at} bytes, its header promises ${position + into.byteLength}`);
    at += n;
  }
}

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
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, Buffer.concat([head, Buffer.from(header, 'latin1')]));
    writeAll(fd, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a .npy file written by writeNpy (or numpy): { array, shape }.
 * @param {string} path
 * @returns {{ array: NpyArray; shape: number[] }}
 */
export function readNpy(path) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const first = Buffer.alloc(Math.min(size, 4096));
    readAll(fd, first, 0, path);
    if (first.toString('latin1', 0, 6) !== '\x93NUMPY') throw new RangeError(`readNpy: ${path} is not a .npy file`);
    const major = first[6];
    const len = major === 1 ? first.readUInt16LE(8) : first.readUInt32LE(8);
    const start = major === 1 ? 10 : 12;
    if (start + len > first.byteLength) throw new RangeError(`readNpy: ${path} has a header longer than 4 KiB`);
    const header = first.toString('latin1', start, start + len);
    const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
    const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)
      .map(Number);
    if (/'fortran_order':\s*True/.test(header)) throw new RangeError(`readNpy: ${path} is Fortran-ordered`);
    const Ctor = descr === undefined ? undefined : CTOR[descr];
    if (!Ctor) throw new TypeError(`readNpy: ${path} has unsupported dtype ${descr}`);
    const off = start + len;
    const array = new Ctor((size - off) / Ctor.BYTES_PER_ELEMENT);
    readAll(fd, new Uint8Array(array.buffer), off, path);
    return { array, shape };
  } finally {
    closeSync(fd);
  }
}
