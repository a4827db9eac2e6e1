// Plain writers of NumPy's .npy and .npz formats for test fixtures, independent of the loader:
// the header layout of numpy/lib/format.py and the zip layout of APPNOTE.TXT, nothing shared.
import { deflateRawSync } from 'node:zlib';

export type NpyDtype = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';

const CODES: Record<NpyDtype, [string, number]> = {
  float32: ['f4', 4],
  float64: ['f8', 8],
  int32: ['i4', 4],
  int64: ['i8', 8],
  uint8: ['u1', 1],
  bool: ['b1', 1],
};

export interface NpyOptions {
  version?: 1 | 2 | 3;
  bigEndian?: boolean;
  /** Write the values (given in C order) in Fortran order, flagged as such. */
  fortran?: boolean;
}

/** `values` in C order with `shape`, as `numpy.save` would write them. */
export function encodeNpy(values: ArrayLike<number>, shape: number[], dtype: NpyDtype, o: NpyOptions = {}): Buffer {
  const [code, size] = CODES[dtype];
  const order = size === 1 ? '|' : o.bigEndian ? '>' : '<';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${order}${code}', 'fortran_order': ${o.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const version = o.version ?? 1;
  const pre = 6 + 2 + (version === 1 ? 2 : 4);
  // numpy pads the header with spaces and one newline so the data starts on a 64-byte boundary.
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = `${header}${' '.repeat(total - pre - header.length - 1)}\n`;
  const head = Buffer.alloc(pre);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  const ordered = o.fortran ? toFortran(values, shape) : Array.from(values);
  const data = Buffer.alloc(ordered.length * size);
  const le = !o.bigEndian;
  ordered.forEach((v, i) => {
    const at = i * size;
    if (dtype === 'float32') le ? data.writeFloatLE(v, at) : data.writeFloatBE(v, at);
    else if (dtype === 'float64') le ? data.writeDoubleLE(v, at) : data.writeDoubleBE(v, at);
    else if (dtype === 'int32') le ? data.writeInt32LE(v, at) : data.writeInt32BE(v, at);
    else if (dtype === 'int64') le ? data.writeBigInt64LE(BigInt(v), at) : data.writeBigInt64BE(BigInt(v), at);
    else data[at] = v;
  });
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

function toFortran(values: ArrayLike<number>, shape: number[]): number[] {
  const [rows, cols] = [shape[0]!, shape.slice(1).reduce((a, b) => a * b, 1)];
  if (shape.length > 2) throw new Error('toFortran: only 1-D and 2-D arrays in the fixtures');
  const out: number[] = [];
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out.push(values[r * cols + c]!);
  return out;
}

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A zip archive of `entries` (name → bytes), deflated or stored, as `numpy.savez[_compressed]` writes. */
export function encodeZip(entries: Record<string, Buffer>, compress: boolean): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const packed = compress ? deflateRawSync(data) : data;
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(compress ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(compress ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** An .npz of arrays: `{ x: [values, shape, dtype] }` → `x.npy` entries. */
export function encodeNpz(arrays: Record<string, [ArrayLike<number>, number[], NpyDtype]>, compress: boolean): Buffer {
  const entries: Record<string, Buffer> = {};
  for (const [k, [v, shape, dtype]] of Object.entries(arrays)) entries[`${k}.npy`] = encodeNpy(v, shape, dtype);
  return encodeZip(entries, compress);
}
