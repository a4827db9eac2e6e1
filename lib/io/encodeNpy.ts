import { FathomError } from '../errors/FathomError.js';

const DESCR = new Map<string, string>([
  ['Float32Array', '<f4'],
  ['Float64Array', '<f8'],
  ['Int32Array', '<i4'],
  ['Uint8Array', '|u1'],
]);

/**
 * A NumPy `.npy` file (format version 1.0) holding `data` with `shape`, C order: the magic
 * string, a little-endian header length, the header dict padded with spaces to a multiple of
 * 64 bytes, then the values, little-endian. `numpy.load` reads it back.
 *
 * @example
 * writeFileSync('probs.npy', encodeNpy(new Float32Array([0.2, 0.8]), [1, 2]));
 */
export function encodeNpy(data: Float32Array | Float64Array | Int32Array | Uint8Array, shape: readonly number[]): Uint8Array {
  const descr = DESCR.get(data?.constructor?.name ?? '');
  if (!descr) throw new TypeError('encodeNpy: argument data must be a Float32Array, Float64Array, Int32Array or Uint8Array');
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || count !== data.length) {
    throw new FathomError(`encodeNpy: argument shape [${shape.join(', ')}] does not hold the ${data.length} values of data`, 'SHAPE');
  }
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const preamble = 10; // magic (6), version (2), header length (2)
  header += `${' '.repeat(63 - ((preamble + header.length) % 64))}\n`;
  const out = new Uint8Array(preamble + header.length + data.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), preamble);
  const body = new DataView(out.buffer, preamble + header.length);
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (data instanceof Float32Array) body.setFloat32(i * size, v, true);
    else if (data instanceof Float64Array) body.setFloat64(i * size, v, true);
    else if (data instanceof Int32Array) body.setInt32(i * size, v, true);
    else body.setUint8(i, v);
  }
  return out;
}
