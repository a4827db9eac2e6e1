import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { requireObject } from '../errors/args.js';
import { buildMeta, FOLDER_FILES } from './buildMeta.js';
import type { Dataset, GraphData } from './types.js';

/**
 * Writes a graph as a folder in Fathom's own format, the format of the bundled datasets:
 * `meta.json` (counts, and per file its path, dtype, shape, byte order, sizes and sha256) and
 * gzip'ed little-endian arrays `edge_index.i32.gz`, `x.f32.gz` (when the graph has file
 * features), `y.i32.gz` and the three `*_mask.u8.gz`. `loadDataset(dir)` reads it back with
 * identical arrays. Files are written under temporary names and renamed, meta.json last, so a
 * crash never leaves a folder that loads with a mix of old and new files.
 *
 * @example
 * saveDataset('./data/my-graph', loadDataset('edges.csv', { labelsFile: 'y.csv' }));
 * loadDataset('./data/my-graph');
 */
export function saveDataset(dir: string, data: GraphData | Dataset, options: { onProgress?: (message: string) => void } = {}): void {
  requireObject('saveDataset', 'data', data);
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`saveDataset: dir must be a folder path, got ${JSON.stringify(dir)}`);
  const n = data.numNodes;
  const checks: [string, ArrayLike<number> | null, number][] = [
    ['edgeIndex', data.edgeIndex, 2 * data.numEdges],
    ['y', data.y, n],
    ['trainMask', data.trainMask, n],
    ['valMask', data.valMask, n],
    ['testMask', data.testMask, n],
  ];
  const withX = data.x !== null && (!('featureSource' in data) || data.featureSource === 'file');
  if (withX) checks.push(['x', data.x, n * data.numFeatures]);
  for (const [key, arr, len] of checks) {
    if (arr?.length !== len) throw new RangeError(`saveDataset: ${key} has ${arr?.length} entries, expected ${len} for ${n} nodes`);
  }
  const x = withX ? data.x : null;
  // Provenance of a loaded folder (source, preprocessing, statistics) still describes the arrays
  // when nothing was transformed (loadDataset builds a fresh meta otherwise); counts and files are rewritten.
  const extra: Record<string, unknown> = {};
  if ('meta' in data && data.meta) {
    for (const [k, v] of Object.entries(data.meta)) if (!STRUCTURAL_KEYS.has(k)) extra[k] = v;
  }
  extra.created_by = 'fathom saveDataset';
  if ('report' in data) {
    extra.source_format = data.report.format;
    extra.graph_report = { found: data.report.found, applied: data.report.applied, split: data.report.split };
  }
  // String labels keep their names; string node ids have no place in the format and are not written.
  if ('classNames' in data && data.classNames) extra.class_names = data.classNames;
  const meta = buildMeta({ ...data, x }, extra);
  mkdirSync(dir, { recursive: true });
  const arrays: Record<string, ArrayBufferView | null> = {
    edge_index: data.edgeIndex,
    x,
    y: data.y,
    train_mask: data.trainMask,
    val_mask: data.valMask,
    test_mask: data.testMask,
  };
  for (const [key, file] of Object.entries(FOLDER_FILES)) {
    const arr = arrays[key];
    if (!arr) continue;
    options.onProgress?.(`writing ${file.path}`);
    const raw = littleEndianBytes(arr);
    // Level 9 as the bundled files use, down to the default for large arrays where it costs seconds.
    const gz = gzipSync(raw, { level: raw.length <= 64 << 20 ? 9 : 6 });
    const tmp = join(dir, `.${file.path}.tmp`);
    writeFileSync(tmp, gz);
    renameSync(tmp, join(dir, file.path));
    Object.assign(meta.files[key]!, {
      bytes: gz.length,
      bytes_uncompressed: raw.length,
      sha256: createHash('sha256').update(gz).digest('hex'),
      sha256_uncompressed: createHash('sha256').update(raw).digest('hex'),
    });
  }
  const tmp = join(dir, '.meta.json.tmp');
  writeFileSync(tmp, `${JSON.stringify(meta, null, 2)}\n`);
  renameSync(tmp, join(dir, 'meta.json'));
}

/** meta.json keys saveDataset always writes itself. */
const STRUCTURAL_KEYS = new Set([
  'name',
  'format_version',
  'num_nodes',
  'num_edges',
  'num_features',
  'num_classes',
  'features_available',
  'num_splits',
  'files',
  'mask_shape',
]);

/** The bytes of a typed array in little-endian order (a copy only on a big-endian host). */
function littleEndianBytes(a: ArrayBufferView): Buffer {
  const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  if (endianness() === 'LE' || a instanceof Uint8Array) return bytes;
  const out = Buffer.from(bytes);
  out.swap32();
  return out;
}
