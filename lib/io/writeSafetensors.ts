import { atomicWriteFile } from './atomicWriteFile.js';
import { encodeSafetensors, type StTensorInput } from './encodeSafetensors.js';

/**
 * Writes tensors and string metadata to a safetensors file, atomically (see
 * {@link atomicWriteFile}): readers see the old file or the complete new one.
 *
 * @example
 * writeSafetensors('weights.safetensors', { w: { data: new Float32Array(4), shape: [2, 2] } }, { note: 'zeros' });
 */
export function writeSafetensors(path: string, tensors: Record<string, StTensorInput>, metadata: Record<string, string> = {}): void {
  if (typeof path !== 'string') throw new TypeError('writeSafetensors: path must be a string');
  atomicWriteFile(path, encodeSafetensors(tensors, metadata));
}
