import { constants as bufferConstants } from 'node:buffer';
import { DatasetError } from '../datasetError.js';
import { checkBudget, type LoadLimits } from '../io/limits.js';
import { requireBuffer } from '../io/requireBuffer.js';
import { inflateStep, runSync, type Steps } from '../io/steps.js';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

/** Whether a buffer starts like a zip archive (`.npz`). */
export function isZip(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32LE(0) === LOCAL;
}

/**
 * The entries of a zip archive (what `numpy.savez` and `savez_compressed` write), each
 * decompressed: stored (method 0) and deflated (method 8, through node's `inflateRawSync`)
 * entries, zip64 sizes included. Sizes come from the central directory and are checked
 * against the memory budget before inflating; inflation stops at the declared size, and the
 * CRC-32 of each entry is verified.
 *
 * @throws DatasetError `EFORMAT` naming the archive, the entry and the problem.
 * @example
 * const entries = readZip(readFileSync('data.npz'), 'data.npz', limits); // Map { 'x.npy' => Buffer, ... }
 */
export function readZip(buf: Buffer, label: string, limits: LoadLimits): Map<string, Buffer> {
  requireBuffer('readZip', buf);
  return runSync(zipEntries(buf, label, limits));
}

/** {@link readZip} as reader steps: one inflate request per deflated entry. */
export function* zipEntries(buf: Buffer, label: string, limits: LoadLimits): Steps<Map<string, Buffer>> {
  const fail = (msg: string): DatasetError => new DatasetError('EFORMAT', `loadDataset: ${label}: ${msg}`);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw fail('not a zip archive, or a truncated one (no end-of-central-directory record)');
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cdOffset === MAX32) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
    const z = Number(buf.readBigUInt64LE(eocd - 12));
    if (z + 56 > buf.length || buf.readUInt32LE(z) !== ZIP64_EOCD) throw fail('broken zip64 end-of-central-directory record');
    count = Number(buf.readBigUInt64LE(z + 32));
    cdOffset = Number(buf.readBigUInt64LE(z + 48));
  }

  const entries = new Map<string, Buffer>();
  let total = 0;
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw fail(`central directory entry ${k} is missing or corrupt`);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let csize = buf.readUInt32LE(p + 20);
    let usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64: the extra field holds, in this order, whichever of the sizes and offset overflowed.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const size = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => {
          const v = Number(buf.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (usize === MAX32) usize = next();
        if (csize === MAX32) csize = next();
        if (local === MAX32) local = next();
      }
      e += 4 + size;
    }
    p = extraEnd + commentLen;

    total += usize;
    checkBudget(`${label}/${name}`, { [`entries up to ${name}`]: total }, limits);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) throw fail(`entry ${name}: local header missing or corrupt`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + csize > buf.length) throw fail(`entry ${name} is truncated: ${csize} bytes declared, ${Math.max(0, buf.length - start)} present`);
    const packed = buf.subarray(start, start + csize);
    let data: Buffer;
    if (method === 0) {
      data = packed;
    } else if (method === 8) {
      try {
        data = yield* inflateStep('inflateRaw', packed, { maxOutputLength: Math.max(1, Math.min(usize + 1, bufferConstants.MAX_LENGTH)) });
      } catch (err) {
        throw fail(`entry ${name} does not inflate (${(err as Error).message}); the archive is corrupt or its sizes are wrong`);
      }
    } else {
      throw fail(`entry ${name} uses compression method ${method}; Fathom reads stored (0) and deflated (8) entries`);
    }
    if (data.length !== usize) throw fail(`entry ${name} holds ${data.length} bytes, the archive declares ${usize}`);
    if (crc32(data) !== crc) throw fail(`entry ${name} fails its CRC-32 check; the archive is corrupt`);
    entries.set(name, data);
    yield;
  }
  return entries;
}

let table: Uint32Array | null = null;

/** CRC-32 (the zip polynomial) of a buffer. */
export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
