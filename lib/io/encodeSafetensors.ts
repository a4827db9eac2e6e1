import { dtypeOfArray, ITEM_SIZE, type StArray, type StDType } from './safetensorsFormat.js';

/** A tensor to write: its data and shape (the dtype follows from the typed array). */
export interface StTensorInput {
  data: StArray;
  shape: readonly number[];
}

/**
 * Serializes tensors and string metadata to the safetensors format: an 8-byte little-endian
 * header length, the JSON header (padded with spaces to a multiple of 8 so the data starts
 * aligned, as the reference writer does), then the tensors back to back in name order.
 *
 * @example
 * const bytes = encodeSafetensors({ w: { data: new Float32Array([1, 2]), shape: [2] } }, { epoch: '3' });
 */
export function encodeSafetensors(tensors: Record<string, StTensorInput>, metadata: Record<string, string> = {}): Buffer {
  if (typeof tensors !== 'object' || tensors === null) throw new TypeError('encodeSafetensors: tensors must be an object');
  const header: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new TypeError(`encodeSafetensors: metadata '${k}' must be a string`);
    meta[k] = v;
  }
  if (Object.keys(meta).length > 0) header.__metadata__ = meta;
  const names = Object.keys(tensors).sort();
  let offset = 0;
  const parts: Buffer[] = [];
  for (const name of names) {
    if (name === '__metadata__') throw new RangeError("encodeSafetensors: '__metadata__' is reserved");
    const { data, shape } = tensors[name]!;
    const dtype: StDType = dtypeOfArray(data);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new RangeError(`encodeSafetensors: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    const numel = shape.reduce((a, b) => a * b, 1);
    if (numel !== data.length) throw new RangeError(`encodeSafetensors: tensor '${name}' has ${data.length} values but shape [${shape}] needs ${numel}`);
    const bytes = data.length * ITEM_SIZE[dtype];
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + bytes] };
    // Little-endian hosts only (x86-64, arm64): the typed array's bytes are the file's bytes.
    parts.push(Buffer.from(data.buffer, data.byteOffset, bytes));
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.alloc(8);
  const jsonBytes = Buffer.from(json, 'utf8');
  head.writeBigUInt64LE(BigInt(jsonBytes.length));
  return Buffer.concat([head, jsonBytes, ...parts]);
}
