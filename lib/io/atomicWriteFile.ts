import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { FathomError } from '../errors/FathomError.js';

/**
 * Writes `data` to `path` so that a crash at any moment leaves either the old file or the
 * new one, never a torn mix: write a temporary file in the same folder (rename is only
 * atomic within one file system), fsync it (so the rename cannot reach the disk before the
 * data), rename it over the target, then fsync the folder (so the rename itself is durable).
 *
 * @throws FathomError 'IO' when any step fails; the temporary file is removed.
 * @example
 * atomicWriteFile('ckpt/latest.safetensors', bytes);
 */
export function atomicWriteFile(path: string, data: Uint8Array): void {
  if (typeof path !== 'string') throw new TypeError('atomicWriteFile: argument path must be a string');
  if (!(data instanceof Uint8Array)) throw new TypeError('atomicWriteFile: argument data must be a Uint8Array');
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or never created: nothing to clean.
    }
    throw new FathomError(`atomicWriteFile: cannot write ${path}: ${(e as Error).message}`, 'IO');
  }
  syncDir(dir);
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems (and Windows) refuse fsync on a folder; the data itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
