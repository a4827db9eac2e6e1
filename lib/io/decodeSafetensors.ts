import { FathomError } from '../errors/FathomError.js';
import { ITEM_SIZE, MAX_HEADER_BYTES, ST_DTYPES, type StArray, type StDType, type StFile, type StTensor } from './safetensorsFormat.js';

const ARRAYS = { F32: Float32Array, F64: Float64Array, I32: Int32Array, U8: Uint8Array } as const;

/**
 * Parses a safetensors file held in memory, strictly: the header length must fit in the
 * buffer, the header must be a JSON object whose entries have a known dtype, a shape of
 * non-negative integers whose size times the item size equals the offsets' span, and
 * offsets that tile the data region exactly (in bounds, contiguous, no overlap, no gap).
 * Nothing is allocated beyond copies of the buffer's own bytes, so a hostile file can
 * never make it allocate more than its size. Every defect is a FathomError with code 'IO'.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(readFileSync('model.safetensors'));
 * tensors.get('conv0.weight')!.data; // Float32Array
 */
export function decodeSafetensors(buf: Uint8Array, source = 'safetensors'): StFile {
  const fail = (why: string): never => {
    throw new FathomError(`${source}: not a valid safetensors file: ${why}`, 'IO');
  };
  if (!(buf instanceof Uint8Array)) throw new TypeError('decodeSafetensors: expected a Buffer or Uint8Array');
  if (buf.length < 8) fail(`${buf.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(buf.length - 8)) fail(`header length ${declared} exceeds the ${buf.length - 8} bytes after it`);
  const n = Number(declared);
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds the limit of ${MAX_HEADER_BYTES}`);
  if (n < 2) fail(`header length ${n} is too short for a JSON object`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = buf.length - dataStart;
  const metadata = parseMetadata((header as Record<string, unknown>).__metadata__, fail);
  const entries: { name: string; dtype: StDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    entries.push({ name, ...parseEntry(name, raw, dataLength, fail) });
  }
  // The offsets must tile [0, dataLength) exactly: sorted by start, each starting where
  // the previous ended. This rules out overlap (aliasing) and gaps (hidden bytes).
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor) fail(`tensor '${e.name}' starts at byte ${e.begin}, expected ${cursor} (overlap or gap)`);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`the tensors cover ${cursor} bytes but the data region has ${dataLength}`);
  const tensors = new Map<string, StTensor>();
  for (const e of entries) {
    const Ctor = ARRAYS[e.dtype];
    // A copy into a fresh buffer, not a view (Buffer.slice is one): the data may be
    // unaligned for the element type, and one small tensor should not pin the whole file.
    const bytes = new Uint8Array(e.end - e.begin);
    bytes.set(buf.subarray(dataStart + e.begin, dataStart + e.end));
    const data = new Ctor(bytes.buffer, 0, bytes.length / ITEM_SIZE[e.dtype]) as StArray;
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

function parseMetadata(raw: unknown, fail: (why: string) => never): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ is not an object');
  // No prototype: a key such as 'constructor' or '__proto__' is data, never an inherited member.
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`__metadata__ entry '${k}' is not a string`);
    out[k] = v as string;
  }
  return out;
}

function parseEntry(
  name: string,
  raw: unknown,
  dataLength: number,
  fail: (why: string) => never,
): { dtype: StDType; shape: number[]; begin: number; end: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`entry '${name}' is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(ST_DTYPES, dtype)) {
    fail(`tensor '${name}' has dtype ${JSON.stringify(dtype)}, not one of ${Object.keys(ST_DTYPES).join(', ')}`);
  }
  const dt = dtype as StDType;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data region`);
  // Size in bytes, stopping once past 2^53 so a shape like [2^40, 2^40] cannot lose
  // precision and round to a plausible number (a zero dimension later still gives 0).
  const span = end - begin;
  let bytes = ITEM_SIZE[dt];
  let huge = false;
  for (const d of shape as number[]) {
    bytes *= d;
    if (bytes > Number.MAX_SAFE_INTEGER) huge = true;
  }
  if (huge && bytes !== 0) fail(`tensor '${name}': shape ${JSON.stringify(shape)} of ${dt} needs more than 2^53 bytes, data_offsets span ${span}`);
  if (bytes !== span) fail(`tensor '${name}': shape ${JSON.stringify(shape)} of ${dt} needs ${bytes} bytes, data_offsets span ${span}`);
  return { dtype: dt, shape: shape as number[], begin, end };
}
