import { constants as bufferConstants } from 'node:buffer';
import { isAbsolute } from 'node:path';
import { DatasetError } from './datasetError.js';
import { parseJsonBounded } from './io/parseJsonBounded.js';
import type { ArrayFileMeta, DatasetMeta, DType } from './types.js';

/** Bytes per element of each dtype. */
export const ITEM_SIZE: Readonly<Record<DType, number>> = { int32: 4, float32: 4, uint8: 1 };

/** `meta.json` after validation, with the values the loader derives from it. */
export interface ParsedMeta {
  meta: DatasetMeta;
  numSplits: number;
  featuresAvailable: boolean;
}

const MAX_INDEX = 0x7fffffff;
const EXPECTED_DTYPE: Readonly<Record<string, DType>> = {
  edge_index: 'int32',
  x: 'float32',
  y: 'int32',
  train_mask: 'uint8',
  val_mask: 'uint8',
  test_mask: 'uint8',
};

/**
 * Parses and validates a dataset's `meta.json` text: the counts are positive
 * integers, every array file has a safe relative path, the right dtype and a
 * shape consistent with the counts, so that later size checks can say
 * exactly how many bytes each file must hold.
 *
 * @param name dataset name used in messages (`cora`)
 * @param file absolute path of the meta.json, attached to errors
 * @throws DatasetError (`EMETA`) naming the offending key and value.
 * @example
 * ```ts
 * const { meta, numSplits } = parseMeta(readFileSync(file, 'utf8'), 'cora', file);
 * ```
 */
export function parseMeta(text: string, name: string, file: string): ParsedMeta {
  const fail = (msg: string): DatasetError => new DatasetError('EMETA', `loadDataset: ${name}/meta.json: ${msg}`, { path: file });
  const bad = (key: string, want: string, got: unknown): DatasetError => fail(`key '${key}' must be ${want} (got ${describe(got)})`);

  const raw = parseJsonBounded(text, `${name}/meta.json`, file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('top level must be a JSON object');
  const m = raw as Record<string, unknown>;

  const int = (key: string, min: number): number => {
    const v = m[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_INDEX) {
      throw bad(key, `an integer in [${min}, ${MAX_INDEX}]`, v);
    }
    return v;
  };
  const numNodes = int('num_nodes', 1);
  const numEdges = int('num_edges', 0);
  const numFeatures = int('num_features', 1);
  int('num_classes', 1);
  if (m.name !== undefined && typeof m.name !== 'string') throw bad('name', 'a string', m.name);
  if (m.features_available !== undefined && typeof m.features_available !== 'boolean') {
    throw bad('features_available', 'true or false', m.features_available);
  }
  if (m.num_splits !== undefined) int('num_splits', 1);

  const files = m.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw bad('files', 'an object', files);
  const entries = files as Record<string, unknown>;
  for (const [key, dtype] of Object.entries(EXPECTED_DTYPE)) {
    const f = entries[key];
    if (f === undefined && key === 'x') continue;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw bad(`files.${key}`, 'an object', f);
    checkFileEntry(f as Record<string, unknown>, `files.${key}`, dtype, bad);
  }
  const fileOf = (key: string): ArrayFileMeta => entries[key] as ArrayFileMeta;

  const expectShape = (key: string, shape: number[]): void => {
    const got = fileOf(key).shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      throw bad(`files.${key}.shape`, `[${shape.join(', ')}] to match num_nodes/num_edges/num_features`, got);
    }
  };
  expectShape('edge_index', [2, numEdges]);
  expectShape('y', [numNodes]);
  if (entries.x !== undefined) expectShape('x', [numNodes, numFeatures]);

  const maskShape = fileOf('train_mask').shape;
  const numSplits = (m.num_splits as number | undefined) ?? (maskShape.length === 2 ? maskShape[0]! : 1);
  const maskExpected = maskShape.length === 1 && numSplits === 1 ? [numNodes] : [numSplits, numNodes];
  for (const key of ['train_mask', 'val_mask', 'test_mask']) expectShape(key, maskExpected);

  if (numNodes * numFeatures * 4 > bufferConstants.MAX_LENGTH) {
    throw fail(`num_nodes * num_features * 4 = ${numNodes * numFeatures * 4} bytes of features exceeds the largest array Node can hold`);
  }
  const hasX = entries.x !== undefined;
  const featuresAvailable = (m.features_available as boolean | undefined) ?? hasX;
  if (featuresAvailable && !hasX) throw fail("key 'files.x' is missing although 'features_available' is true");
  if (!featuresAvailable && hasX) throw fail("key 'files.x' is present although 'features_available' is false");

  return { meta: m as DatasetMeta, numSplits, featuresAvailable };
}

function checkFileEntry(f: Record<string, unknown>, key: string, dtype: DType, bad: (key: string, want: string, got: unknown) => DatasetError): void {
  const path = f.path;
  // Paths stay inside the dataset folder: a meta.json must not make us read arbitrary files.
  if (typeof path !== 'string' || path === '' || isAbsolute(path) || path.split(/[\\/]/).includes('..')) {
    throw bad(`${key}.path`, 'a relative file name inside the dataset folder', path);
  }
  if (f.dtype !== dtype) throw bad(`${key}.dtype`, `'${dtype}'`, f.dtype);
  const shape = f.shape;
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw bad(`${key}.shape`, 'an array of non-negative integers', shape);
  }
  const expectedBytes = shape.reduce((a: number, d: number) => a * d, 1) * ITEM_SIZE[dtype];
  if (expectedBytes > bufferConstants.MAX_LENGTH) {
    throw bad(`${key}.shape`, `at most ${bufferConstants.MAX_LENGTH} bytes, the largest array Node can hold`, shape);
  }
  if (f.bytes_uncompressed !== undefined && f.bytes_uncompressed !== expectedBytes) {
    throw bad(`${key}.bytes_uncompressed`, `${expectedBytes} (shape [${shape.join(', ')}] of ${dtype})`, f.bytes_uncompressed);
  }
  if (f.sha256 !== undefined && (typeof f.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(f.sha256))) {
    throw bad(`${key}.sha256`, 'a 64-digit hex string', f.sha256);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing: the key is missing';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
