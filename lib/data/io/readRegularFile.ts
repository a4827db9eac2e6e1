import { constants as bufferConstants } from 'node:buffer';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { DatasetError } from '../datasetError.js';
import { formatBytes } from './limits.js';
import { inflateStep, runSync, type Steps } from './steps.js';

/** What a file read is allowed to be. */
export interface ReadFileSpec {
  /** How errors name the file (`cora/x.f32.gz`, `edges.csv`). */
  label: string;
  /** The dataset folder: a symlink must resolve to a file inside it. Absent for a file the user named directly. */
  root?: string;
  /** Largest size accepted, in bytes, checked against the file's size before it is read. */
  maxBytes: number;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/**
 * Checks that `path` names a regular file without reading it: FIFOs, devices and sockets are
 * refused (reading them hangs or never ends), and inside a dataset folder a symlink must stay
 * in that folder. Returns the file's size.
 *
 * @throws DatasetError `ENOENT` (missing) or `EFILE` (not a regular file, or a symlink that leaves the folder).
 * @example
 * const bytes = checkRegularFile('/data/cora/x.f32.gz', { label: 'cora/x.f32.gz', root: '/data/cora', maxBytes: 1e9 });
 */
export function checkRegularFile(path: string, spec: ReadFileSpec): number {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (err) {
    throw new DatasetError('ENOENT', `loadDataset: ${spec.label} is missing (expected at ${path})`, { path, cause: err });
  }
  // Inside a dataset folder the resolved path must stay in the folder, whether the file itself
  // or a folder on the way to it is the symlink.
  if (st.isSymbolicLink() || spec.root !== undefined) {
    let target: string;
    try {
      target = realpathSync(path);
    } catch (err) {
      throw new DatasetError('ENOENT', `loadDataset: ${spec.label} is a symlink to nothing (at ${path})`, { path, cause: err });
    }
    if (spec.root !== undefined) {
      const rel = relative(realpathSync(spec.root), target);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        throw new DatasetError(
          'EFILE',
          `loadDataset: ${spec.label} is a symlink to ${target}, outside the dataset folder ${spec.root}; copy the file in instead`,
          {
            path,
          },
        );
      }
    }
    st = lstatSync(target);
  }
  if (!st.isFile()) throw new DatasetError('EFILE', `loadDataset: ${spec.label} is ${kindOf(st)}, not a regular file (at ${path})`, { path });
  if (st.size > spec.maxBytes) {
    throw new DatasetError('ELIMIT', `loadDataset: ${spec.label} is ${formatBytes(st.size)}, over the limit of ${formatBytes(spec.maxBytes)} for this file`, {
      path,
    });
  }
  return st.size;
}

/**
 * Reads a whole regular file after {@link checkRegularFile}. Opened non-blocking and checked
 * again with fstat, so a file swapped for a FIFO between the two checks cannot hang the read.
 *
 * @example
 * const buf = readRegularFile(path, { label: 'edges.csv', maxBytes: limits.maxBytes });
 */
export function readRegularFile(path: string, spec: ReadFileSpec): Buffer {
  checkRegularFile(path, spec);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new DatasetError('ENOENT', `loadDataset: cannot read ${spec.label} at ${path}: ${(err as Error).message}`, { path, cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new DatasetError('EFILE', `loadDataset: ${spec.label} is ${kindOf(st)}, not a regular file (at ${path})`, { path });
    if (st.size > spec.maxBytes) {
      throw new DatasetError('ELIMIT', `loadDataset: ${spec.label} is ${formatBytes(st.size)}, over the limit of ${formatBytes(spec.maxBytes)} for this file`, {
        path,
      });
    }
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/**
 * Gunzips `gz`, stopping as soon as the output passes `maxBytes` (zlib checks the limit while
 * it inflates, so a gzip bomb is never expanded in full).
 *
 * @throws DatasetError `ESIZE` past the limit, `EGZIP` for a corrupt or truncated stream.
 * @example
 * const text = gunzipBounded(readRegularFile(p, spec), 'raw/edge.csv.gz', limits.maxBytes, p);
 */
export function gunzipBounded(gz: Buffer, label: string, maxBytes: number, path?: string): Buffer {
  return runSync(gunzipBoundedSteps(gz, label, maxBytes, path));
}

/** {@link gunzipBounded} as reader steps, for the sync and the async runner alike. */
export function* gunzipBoundedSteps(gz: Buffer, label: string, maxBytes: number, path?: string): Steps<Buffer> {
  try {
    return yield* inflateStep('gunzip', gz, { maxOutputLength: Math.max(1, Math.min(maxBytes, bufferConstants.MAX_LENGTH)) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DatasetError('ESIZE', `loadDataset: ${label} decompresses to more than ${formatBytes(maxBytes)}, the most it may hold`, { path, cause: err });
    }
    throw new DatasetError('EGZIP', `loadDataset: ${label} is not a valid gzip file, it is truncated or corrupt (${(err as Error).message})`, {
      path,
      cause: err,
    });
  }
}

/** Whether a buffer starts with the gzip magic bytes. */
export function isGzip(buf: Buffer): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Reads a file, gunzipping it when it is gzip'ed (by content, not by name), within `maxBytes` either way. */
export function* readMaybeGzip(path: string, spec: ReadFileSpec): Steps<Buffer> {
  const buf = readRegularFile(path, spec);
  yield;
  return isGzip(buf) ? yield* gunzipBoundedSteps(buf, spec.label, spec.maxBytes, path) : buf;
}
