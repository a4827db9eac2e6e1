import { basename, dirname, resolve } from 'node:path';
import { readNpyHeader } from './readNpyRows.js';
import { DatasetError } from '../datasetError.js';
import type { LoadLimits } from '../io/limits.js';
import type { LoadDatasetOptions } from '../loadOptions.js';
import type { NodeIds } from './NodeIds.js';
import type { DatasetFormat, RawGraph } from './RawGraph.js';
import type { Steps } from '../io/steps.js';
import { readFeatures, readLabels, readMask } from './readNodeFiles.js';

/** A graph's edges as read from one file, before its node files are attached. */
export interface EdgeSource {
  format: DatasetFormat;
  path: string;
  edgeIndex: Int32Array;
  ids: NodeIds;
  numNodes: number;
  notes: string[];
}

/**
 * Adds the node files named in the options (features, labels, masks) to an edge list or
 * `.npy` edge index. The node count is the largest of: the edge list's, the rows of the
 * feature and label files, and `numNodes`; nodes without edges are isolated. Keyed rows
 * (`id,label`, or string-id feature rows) are placed by id; a node left without a row is an
 * error naming it.
 *
 * @example
 * return yield* assembleNodeFiles(edgeSource, options, limits);
 */
export function* assembleNodeFiles(e: EdgeSource, o: LoadDatasetOptions, limits: LoadLimits): Steps<RawGraph> {
  const ctx = { o, limits, ids: e.ids };
  // features 'none': a .npy file's header gives the rows and the width; the values stay on disk.
  const onDisk = o.features === 'none' && o.featuresFile !== undefined ? featuresOnDisk(o.featuresFile) : null;
  const feats = o.featuresFile !== undefined && !onDisk ? yield* readFeatures(o.featuresFile, ctx) : null;
  const labels = o.labelsFile !== undefined ? yield* readLabels(o.labelsFile, ctx) : null;
  let n = Math.max(e.numNodes, e.ids.count);
  if (feats && !feats.rows) n = Math.max(n, feats.x.length / feats.numFeatures);
  if (onDisk) n = Math.max(n, onDisk.rows);
  if (labels && !labels.rows) n = Math.max(n, labels.values.length);
  if (labels?.rows && e.ids.kind === 'integer') for (const r of labels.rows) n = Math.max(n, r + 1);
  if (o.numNodes !== undefined) {
    if (!Number.isSafeInteger(o.numNodes) || o.numNodes < n) {
      throw new RangeError(`loadDataset: numNodes must be an integer ≥ ${n} (the nodes the files name), got ${o.numNodes}`);
    }
    n = o.numNodes;
  }

  let x: Float32Array | null = null;
  if (feats) {
    const f = feats.numFeatures;
    const name = basename(o.featuresFile!);
    if (!feats.rows) {
      if (feats.x.length / f !== n) {
        throw new DatasetError('EDATA', `loadDataset: ${name} has ${feats.x.length / f} rows, but the graph has ${n} nodes (${basename(e.path)})`);
      }
      x = feats.x;
    } else {
      x = new Float32Array(n * f);
      const seen = new Uint8Array(n);
      feats.rows.forEach((node, r) => {
        seen[node] = 1;
        x!.set(feats.x.subarray(r * f, (r + 1) * f), node * f);
      });
      const missing = seen.indexOf(0);
      if (missing >= 0) throw new DatasetError('EDATA', `loadDataset: ${name} has no row for node ${nameOf(e.ids, missing)}`);
    }
  }

  if (onDisk && onDisk.rows !== n) {
    throw new DatasetError('EDATA', `loadDataset: ${basename(o.featuresFile!)} has ${onDisk.rows} rows, but the graph has ${n} nodes (${basename(e.path)})`);
  }
  let y: Int32Array | null = null;
  if (labels) {
    const name = basename(o.labelsFile!);
    if (!labels.rows) {
      if (labels.values.length !== n) throw new DatasetError('EDATA', `loadDataset: ${name} has ${labels.values.length} labels, but the graph has ${n} nodes`);
      y = labels.values;
    } else {
      y = new Int32Array(n).fill(-1);
      labels.rows.forEach((node, r) => (y![node] = labels.values[r]!));
      const missing = y.indexOf(-1);
      if (missing >= 0) throw new DatasetError('EDATA', `loadDataset: ${name} has no label for node ${nameOf(e.ids, missing)}`);
    }
  }

  const maskFiles = [o.trainMaskFile, o.valMaskFile, o.testMaskFile];
  let masks: RawGraph['masks'] = null;
  if (maskFiles.some((f) => f !== undefined)) {
    if (o.trainMaskFile === undefined || o.valMaskFile === undefined) {
      throw new RangeError('loadDataset: mask files need at least trainMaskFile and valMaskFile (testMaskFile may be left out)');
    }
    const split = o.split ?? 0;
    masks = {
      train: yield* readMask(o.trainMaskFile, ctx, n, split),
      val: yield* readMask(o.valMaskFile, ctx, n, split),
      test: o.testMaskFile === undefined ? new Uint8Array(n) : yield* readMask(o.testMaskFile, ctx, n, split),
    };
  }
  const abs = resolve(e.path);
  const nodeIds = e.ids.kind === 'string' ? e.ids.names! : null;
  return {
    name: basename(e.path)
      .replace(/(\.gz)?$/, '')
      .replace(/\.[^.]*$/, ''),
    format: e.format,
    source: e.path,
    directory: dirname(abs),
    numNodes: n,
    edgeIndex: e.edgeIndex,
    x,
    numFeatures: onDisk ? onDisk.width : x === null ? 0 : feats!.numFeatures,
    y,
    masks,
    splitSource: masks
      ? `from files ${maskFiles
          .filter((f) => f !== undefined)
          .map((f) => basename(f!))
          .join(', ')}`
      : undefined,
    split: 0,
    numSplits: 1,
    nodeIds,
    classNames: labels?.classNames ?? null,
    meta: null,
    files: { y: o.labelsFile ? basename(o.labelsFile) : undefined },
    notes: e.notes,
  };
}

function nameOf(ids: NodeIds, index: number): string {
  return ids.kind === 'string' ? `'${ids.names![index]}'` : String(index + ids.base);
}

/** The rows and width of a `.npy` featuresFile left on disk (features 'none'); other files cannot be. */
function featuresOnDisk(path: string): { rows: number; width: number } {
  if (!path.toLowerCase().endsWith('.npy')) {
    throw new RangeError(`loadDataset: features 'none' leaves a .npy featuresFile on disk; ${basename(path)} is not one (load it with features 'file')`);
  }
  const [rows, width] = readNpyHeader(path).shape;
  return { rows, width };
}
