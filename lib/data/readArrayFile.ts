import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { constants as bufferConstants } from 'node:buffer';
import { DatasetError } from './datasetError.js';
import { ITEM_SIZE } from './parseMeta.js';
import { readRegularFile } from './io/readRegularFile.js';
import { inflateStep, type Steps } from './io/steps.js';
import type { ArrayFileMeta, DType, DTypeArrays } from './types.js';

const CTORS = { int32: Int32Array, float32: Float32Array, uint8: Uint8Array } as const;

/** What to read: the folder, the dataset's display name and the `files.<key>` entry. */
export interface ArrayFileSpec<D extends DType> {
  directory: string;
  name: string;
  key: string;
  file: ArrayFileMeta & { dtype: D };
  /** Compare the `.gz` file's sha256 with `file.sha256` before decompressing. */
  verifyChecksum: boolean;
  /** Largest file accepted (the memory budget). Default: the largest Buffer. */
  maxBytes?: number;
}

/**
 * Reads one gzip'ed raw little-endian array file of a dataset folder into a
 * freshly allocated typed array (its own aligned buffer, never a view into a
 * pooled Buffer).
 *
 * Checks, each failing with a {@link DatasetError} that names
 * `<dataset>/<file>`: the file exists (`ENOENT`), its sha256 matches meta.json
 * when asked (`ECHECKSUM`), it is valid gzip (`EGZIP`: truncated or corrupt),
 * and it decompresses to exactly `product(shape) * itemsize` bytes (`ESIZE`).
 *
 * @example
 * ```ts
 * const y = runSync(readArrayFile({ directory, name: 'cora', key: 'y', file: meta.files.y, verifyChecksum: true }));
 * ```
 */
export function* readArrayFile<D extends DType>(spec: ArrayFileSpec<D>): Steps<DTypeArrays[D]> {
  const { directory, name, key, file, verifyChecksum } = spec;
  const path = join(directory, file.path);
  const label = `${name}/${file.path}`;

  // A FIFO or device would hang or never end; a symlink must stay in the folder.
  const gz = readRegularFile(path, { label, root: directory, maxBytes: spec.maxBytes ?? bufferConstants.MAX_LENGTH });

  if (verifyChecksum) {
    if (file.sha256 === undefined) {
      throw new DatasetError('EMETA', `loadDataset: cannot verify ${label}: meta.json has no 'files.${key}.sha256'`, {
        path,
      });
    }
    const actual = createHash('sha256').update(gz).digest('hex');
    if (actual !== file.sha256.toLowerCase()) {
      throw new DatasetError(
        'ECHECKSUM',
        `loadDataset: ${label} fails its checksum: sha256 is ${actual}, meta.json 'files.${key}.sha256' says ${file.sha256}`,
        { path },
      );
    }
  }

  const itemSize = ITEM_SIZE[file.dtype];
  const count = file.shape.reduce((a, d) => a * d, 1);
  const expected = count * itemSize;
  const shapeText = `shape [${file.shape.join(', ')}] x ${itemSize}-byte ${file.dtype}`;
  // Deflate expands at most ~1032:1, so a small file cannot hold a huge declared shape: say so before inflating.
  if (expected > gz.length * 1032 + 1024) {
    throw new DatasetError('ESIZE', `loadDataset: ${label} is ${gz.length} bytes of gzip, too small to hold ${expected} bytes (${shapeText})`, { path });
  }
  // One byte of slack lets "too long" be told apart without inflating a huge (or hostile) file in full.
  const limit = Math.min(expected + 1, bufferConstants.MAX_LENGTH);
  let raw: Buffer;
  try {
    raw = yield* inflateStep('gunzip', gz, { maxOutputLength: Math.max(limit, 1) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DatasetError('ESIZE', `loadDataset: ${label} decompresses to more than ${expected} bytes; expected exactly ${expected} bytes (${shapeText})`, {
        path,
        cause: err,
      });
    }
    throw new DatasetError('EGZIP', `loadDataset: ${label} is not a valid gzip file, it is truncated or corrupt (${(err as Error).message}) at ${path}`, {
      path,
      cause: err,
    });
  }
  if (raw.length !== expected) {
    throw new DatasetError('ESIZE', `loadDataset: ${label} holds ${raw.length} bytes uncompressed; expected ${expected} bytes (${shapeText})`, { path });
  }

  const out = new CTORS[file.dtype](count) as DTypeArrays[D];
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  bytes.set(raw);
  // The files are little-endian; swap in place on the rare big-endian host.
  if (itemSize > 1 && endianness() === 'BE') {
    for (let i = 0; i < bytes.length; i += 4) {
      const b0 = bytes[i]!;
      const b1 = bytes[i + 1]!;
      bytes[i] = bytes[i + 3]!;
      bytes[i + 1] = bytes[i + 2]!;
      bytes[i + 2] = b1;
      bytes[i + 3] = b0;
    }
  }
  return out;
}
