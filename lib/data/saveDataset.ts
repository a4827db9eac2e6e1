import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { requireObject } from '../errors/args.js';
import { buildMeta, FOLDER_FILES } from './buildMeta.js';
import { inflateStep, runAsync, runSync, type Steps } from './io/steps.js';
import type { Dataset, GraphData } from './types.js';

/**
 * Writes a graph as a folder in Fathom's own format, the format of the bundled datasets:
 * `meta.json` (counts, and per file its path, dtype, shape, byte order, sizes and sha256) and
 * gzip'ed little-endian arrays `edge_index.i32.gz`, `x.f32.gz` (when the graph has file
 * features), `y.i32.gz` and the three `*_mask.u8.gz`. `loadDataset(dir)` reads it back with
 * identical arrays. Files are written under temporary names and renamed once all are written,
 * meta.json last, so a crash never leaves a folder that loads with a mix of old and new files.
 *
 * @example
 * saveDataset('./data/my-graph', loadDataset('edges.csv', { labelsFile: 'y.csv' }));
 * loadDataset('./data/my-graph');
 */
export function saveDataset(dir: string, data: GraphData | Dataset, options: SaveDatasetOptions = {}): void {
  runSync(saveSteps(dir, data, options));
}

/** Options of {@link saveDataset} and {@link saveDatasetAsync}. */
export interface SaveDatasetOptions {
  /** Called with a status line before each file is written. */
  onProgress?: (message: string) => void;
  /** (`saveDatasetAsync`) Aborting rejects with `signal.reason` and removes what was written. */
  signal?: AbortSignal;
}

/**
 * {@link saveDataset} without blocking the event loop: gzip runs on libuv's thread pool, and an
 * abort rejects with the signal's reason, removing the temporary files (and the folder, when
 * this call created it), so nothing partial is left.
 *
 * @example
 * await saveDatasetAsync('./data/my-graph', await loadDatasetAsync('edges.csv'), { signal });
 */
export async function saveDatasetAsync(dir: string, data: GraphData | Dataset, options: SaveDatasetOptions = {}): Promise<void> {
  requireObject('saveDatasetAsync', 'options', options);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('saveDatasetAsync: options.signal must be an AbortSignal');
  }
  await runAsync(saveSteps(dir, data, options), options.signal);
}

function* saveSteps(dir: string, data: GraphData | Dataset, options: SaveDatasetOptions): Steps<void> {
  requireObject('saveDataset', 'data', data);
  requireObject('saveDataset', 'options', options);
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
  const created = mkdirSync(dir, { recursive: true });
  const written: [string, string][] = [];
  let done = false;
  try {
    yield* writeArrays(dir, data, x, meta, options, written);
    const tmp = join(dir, '.meta.json.tmp');
    writeFileSync(tmp, `${JSON.stringify(meta, null, 2)}\n`);
    written.push([tmp, join(dir, 'meta.json')]);
    for (const [from, to] of written) renameSync(from, to);
    done = true;
  } finally {
    // Stopped (an abort or an error) before the renames: take back what was written.
    if (!done) {
      for (const [from] of written) rmSync(from, { force: true });
      if (created !== undefined) rmSync(created, { recursive: true, force: true });
    }
  }
}

function* writeArrays(
  dir: string,
  data: GraphData | Dataset,
  x: Float32Array | null,
  meta: ReturnType<typeof buildMeta>,
  options: SaveDatasetOptions,
  written: [string, string][],
): Steps<void> {
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
    const gz = yield* inflateStep('gzip', raw, { level: raw.length <= 64 << 20 ? 9 : 6 });
    const tmp = join(dir, `.${file.path}.tmp`);
    writeFileSync(tmp, gz);
    written.push([tmp, join(dir, file.path)]);
    Object.assign(meta.files[key]!, {
      bytes: gz.length,
      bytes_uncompressed: raw.length,
      sha256: createHash('sha256').update(gz).digest('hex'),
      sha256_uncompressed: createHash('sha256').update(raw).digest('hex'),
    });
    yield;
  }
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
