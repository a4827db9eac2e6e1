import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { DatasetError } from '../datasetError.js';
import { checkRegularFile } from '../io/readRegularFile.js';

/** The layout of a 2-D float `.npy` matrix, read from its header alone. */
export interface NpyMatrixHeader {
  dtype: 'float32' | 'float64';
  /** [rows, columns] */
  shape: [number, number];
  littleEndian: boolean;
  /** Byte offset of row 0. */
  dataStart: number;
}

/** Rows of a `.npy` matrix, in the order asked: [rowIds.length, numFeatures] row-major. */
export interface NpyRows {
  dtype: 'float32' | 'float64';
  numRows: number;
  numFeatures: number;
  rows: Float32Array | Float64Array;
}

const HEAD_BYTES = 10;

/**
 * The header of a `.npy` file holding a C-order float32 or float64 matrix (N, F): what
 * readNpyRows needs to seek to a row. Reads the header only.
 *
 * @throws DatasetError `EFORMAT` naming the file: not a .npy, not 2-D, not float32/float64, Fortran order (rows are not contiguous there; load the whole file instead), or a file shorter than its shape.
 * @example
 * const { shape: [n, f] } = readNpyHeader('x.npy');
 */
export function readNpyHeader(path: string): NpyMatrixHeader {
  const label = basename(path);
  const size = checkRegularFile(path, { label, maxBytes: Number.MAX_SAFE_INTEGER });
  const fail = (msg: string): DatasetError => new DatasetError('EFORMAT', `readNpyRows: ${label}: ${msg}`, { path });
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    if (readSync(fd, head, 0, HEAD_BYTES, 0) < HEAD_BYTES || head.readUInt32BE(0) !== 0x934e554d || head.readUInt16BE(4) !== 0x5059) {
      throw fail('not a .npy file (it does not start with \\x93NUMPY)');
    }
    const major = head[6]!;
    if (major < 1 || major > 3) throw fail(`.npy format version ${major} is not one Fathom reads (1, 2 or 3)`);
    const lenBytes = major === 1 ? 2 : 4;
    const lenBuf = Buffer.alloc(4);
    readSync(fd, lenBuf, 0, lenBytes, 8);
    const headerLen = lenBytes === 2 ? lenBuf.readUInt16LE(0) : lenBuf.readUInt32LE(0);
    const dataStart = 8 + lenBytes + headerLen;
    if (dataStart > size || headerLen > 1 << 20) throw fail(`the header claims ${headerLen} bytes`);
    const text = Buffer.alloc(headerLen);
    readSync(fd, text, 0, headerLen, 8 + lenBytes);
    const header = text.toString(major === 3 ? 'utf8' : 'latin1');
    const descr = /'descr'\s*:\s*'([<>|=])([a-z])(\d+)'/.exec(header);
    const order = /'fortran_order'\s*:\s*(True|False)/.exec(header);
    const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
    if (!descr || !order || !shapeText) throw fail(`cannot read the header ${JSON.stringify(header.trim().slice(0, 120))}`);
    const code = descr[2]! + descr[3]!;
    if (code !== 'f4' && code !== 'f8') throw fail(`dtype '${descr[1]}${code}' is not float32 or float64`);
    const shape = shapeText[1]!
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number);
    if (shape.length !== 2 || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw fail(`shape (${shapeText[1]}) is not a matrix (N, F)`);
    const fortran = order[1] === 'True' && shape[0]! > 1 && shape[1]! > 1;
    if (fortran) throw fail('is in Fortran order, so a row is not contiguous; save it in C order (np.ascontiguousarray) or load it whole');
    const itemSize = code === 'f4' ? 4 : 8;
    if (size - dataStart < shape[0]! * shape[1]! * itemSize) {
      throw fail(`header says shape (${shape.join(', ')}) but the file holds ${Math.floor((size - dataStart) / itemSize)} values`);
    }
    return { dtype: code === 'f4' ? 'float32' : 'float64', shape: [shape[0]!, shape[1]!], littleEndian: descr[1] !== '>', dataStart };
  } finally {
    closeSync(fd);
  }
}

/**
 * Rows `rowIds` of a C-order float32/float64 `.npy` matrix, read straight from the file (one
 * read per run of consecutive ids, in chunks of at most 16 MiB) without loading the matrix: what
 * a rank of a partitioned-features job holds of a feature file. Rows come in the order asked.
 *
 * @throws DatasetError `EFORMAT` (see readNpyHeader); RangeError naming the first id outside [0, N).
 * @example
 * const { rows, numFeatures } = readNpyRows('x.npy', new Int32Array([0, 1, 2, 40]));
 */
export function readNpyRows(path: string, rowIds: Int32Array): NpyRows {
  if (!(rowIds instanceof Int32Array)) throw new TypeError('readNpyRows: argument rowIds must be an Int32Array');
  const h = readNpyHeader(path);
  const [n, f] = h.shape;
  rowIds.forEach((v, i) => {
    if (v < 0 || v >= n) throw new RangeError(`readNpyRows: row id ${v} at position ${i} is not in [0, ${n}) (${basename(path)} has ${n} rows)`);
  });
  const item = h.dtype === 'float32' ? 4 : 8;
  const rowBytes = f * item;
  const out = h.dtype === 'float32' ? new Float32Array(rowIds.length * f) : new Float64Array(rowIds.length * f);
  const bytes = new Uint8Array(out.buffer);
  const maxRun = Math.max(1, Math.floor((16 << 20) / Math.max(rowBytes, 1)));
  const fd = openSync(path, 'r');
  try {
    for (let i = 0; i < rowIds.length; ) {
      let j = i + 1;
      while (j < rowIds.length && j - i < maxRun && rowIds[j] === rowIds[j - 1]! + 1) j++;
      const want = (j - i) * rowBytes;
      const got = readSync(fd, bytes, i * rowBytes, want, h.dataStart + rowIds[i]! * rowBytes);
      if (got !== want) throw new DatasetError('EFORMAT', `readNpyRows: ${basename(path)}: the file ended inside row ${rowIds[i]}`, { path });
      i = j;
    }
  } finally {
    closeSync(fd);
  }
  if (!h.littleEndian && item > 1) swapBytes(bytes, item);
  return { dtype: h.dtype, numRows: rowIds.length, numFeatures: f, rows: out };
}

/** Big-endian files: each item's bytes reversed in place. */
function swapBytes(b: Uint8Array, item: number): void {
  for (let k = 0; k < b.length; k += item) b.subarray(k, k + item).reverse();
}
