import { readFileSync } from 'node:fs';

import { FathomError } from '../errors/FathomError.js';
import { decodeSafetensors } from './decodeSafetensors.js';
import type { StFile } from './safetensorsFormat.js';

/**
 * Reads and strictly validates a safetensors file (see {@link decodeSafetensors}). Reads the
 * file once; allocates at most its size again for the tensor copies.
 *
 * @throws FathomError 'IO' when the file is missing, unreadable or malformed.
 * @example
 * const { tensors, metadata } = readSafetensors('ckpt/epoch-000010.safetensors');
 */
export function readSafetensors(path: string): StFile {
  if (typeof path !== 'string') throw new TypeError('readSafetensors: path must be a string');
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new FathomError(`readSafetensors: cannot read ${path}: ${(e as Error).message}`, 'IO');
  }
  return decodeSafetensors(buf, path);
}
