import { basename } from 'node:path';
import { DatasetError } from '../datasetError.js';
import type { LoadLimits } from '../io/limits.js';
import { readRegularFile } from '../io/readRegularFile.js';
import type { LoadDatasetOptions } from '../loadOptions.js';
import { assembleNodeFiles } from './assembleNodeFiles.js';
import { edgeIndexOf, type NdArray, toFeatures, toInt32, toMask } from './NdArray.js';
import { NodeIds } from './NodeIds.js';
import { parseNpy } from './parseNpy.js';
import type { RawGraph } from './RawGraph.js';
import { zipEntries } from './readZip.js';
import type { Steps } from '../io/steps.js';

/**
 * Reads a `.npz`: either the arrays PyG users save (`edge_index` of shape (2, E) or (E, 2), and
 * any of `x`, `y`, `train_mask`, `val_mask`, `test_mask`; masks of shape (N,) or (N, splits)),
 * or a SciPy sparse adjacency from `scipy.sparse.save_npz` (`data`, `indices`, `indptr`,
 * `shape`, `format` csr/csc, or `row`, `col` for coo) whose stored entries become the edges.
 * Features, labels and masks named in the options fill what the archive lacks.
 *
 * @example
 * const raw = runSync(readNpz('cora.npz', {}, limits));
 */
export function* readNpz(path: string, o: LoadDatasetOptions, limits: LoadLimits): Steps<RawGraph> {
  const label = basename(path);
  const entries = yield* zipEntries(readRegularFile(path, { label, maxBytes: limits.maxBytes }), label, limits);
  const names = new Map([...entries.keys()].map((k) => [k.replace(/\.npy$/, ''), k]));
  const get = (key: string): NdArray | null => {
    const k = names.get(key);
    return k === undefined ? null : parseNpy(entries.get(k)!, `${label}/${k}`, limits);
  };
  const fail = (msg: string): DatasetError => new DatasetError('EFORMAT', `loadDataset: ${label}: ${msg}`);
  const ids = NodeIds.integers(0);

  if ((names.has('indptr') && names.has('indices')) || (names.has('row') && names.has('col'))) {
    const shape = get('shape');
    if (shape?.data.length !== 2 || shape.data[0] !== shape.data[1]) {
      throw fail(`a SciPy sparse adjacency needs a square 'shape'; got ${shape ? `(${Array.from(shape.data).join(', ')})` : 'none'}`);
    }
    const n = shape.data[0]!;
    const fmtKey = names.get('format');
    const fmt = fmtKey
      ? entries
          .get(fmtKey)!
          .toString('latin1')
          .match(/csr|csc|coo/)?.[0]
      : names.has('row')
        ? 'coo'
        : 'csr';
    let edgeIndex: Int32Array;
    if (fmt === 'coo') {
      const row = toInt32(get('row')!, `${label}/row`);
      const col = toInt32(get('col')!, `${label}/col`);
      edgeIndex = new Int32Array(2 * row.length);
      edgeIndex.set(row);
      edgeIndex.set(col, row.length);
    } else {
      const indptr = toInt32(get('indptr')!, `${label}/indptr`);
      const indices = toInt32(get('indices')!, `${label}/indices`);
      if (indptr.length !== n + 1 || indptr[n] !== indices.length) {
        throw fail(
          `indptr has ${indptr.length} entries ending at ${indptr[indptr.length - 1]}; expected ${n + 1} ending at ${indices.length} (the length of indices)`,
        );
      }
      const e = indices.length;
      edgeIndex = new Int32Array(2 * e);
      // csr: rows are sources, indices targets; csc: columns are targets, indices sources.
      const [outer, inner] = fmt === 'csc' ? [e, 0] : [0, e];
      for (let r = 0; r < n; r++) {
        const lo = indptr[r]!;
        const hi = indptr[r + 1]!;
        if (lo > hi || lo < 0 || hi > e) throw fail(`indptr is not non-decreasing within [0, ${e}] at row ${r}`);
        for (let k = lo; k < hi; k++) {
          edgeIndex[outer + k] = r;
          edgeIndex[inner + k] = indices[k]!;
        }
      }
    }
    checkEdges(edgeIndex, n, label);
    const notes = [`SciPy ${fmt} adjacency (stored entries are edges; values ignored)`];
    return yield* assembleNodeFiles({ format: 'npz-csr', path, edgeIndex, ids, numNodes: n, notes }, o, limits);
  }

  const ei = get('edge_index');
  if (!ei) throw fail(`holds neither 'edge_index' nor a SciPy sparse adjacency (indptr, indices, shape); keys: ${[...names.keys()].join(', ')}`);
  const edgeIndex = edgeIndexOf(ei, `${label}/edge_index`);
  const x = get('x');
  const y = get('y');
  let n = 0;
  for (let i = 0; i < edgeIndex.length; i++) if (edgeIndex[i]! >= n) n = edgeIndex[i]! + 1;
  if (x) n = Math.max(n, x.shape[0]!);
  if (y) n = Math.max(n, y.shape[0]!);
  checkEdges(edgeIndex, n, `${label}/edge_index.npy`);
  const used = ['edge_index', 'x', 'y', 'train_mask', 'val_mask', 'test_mask'];
  const notes = ['arrays'];
  const extra = [...names.keys()].filter((k) => !used.includes(k));
  if (extra.length > 0) notes.push(`ignored ${extra.join(', ')}`);
  const raw = yield* assembleNodeFiles({ format: 'npz', path, edgeIndex, ids, numNodes: n, notes }, o, limits);
  const n2 = raw.numNodes;
  if (!raw.x && x) {
    if (x.shape[0] !== n2) throw fail(`x has ${x.shape[0]} rows but the graph has ${n2} nodes`);
    raw.x = toFeatures(x, `${label}/x.npy`);
    raw.numFeatures = x.shape.length === 2 ? x.shape[1]! : 1;
  }
  if (!raw.y && y) {
    if (y.shape[0] !== n2 || y.data.length !== n2) throw fail(`y has shape (${y.shape.join(', ')}), expected (${n2},)`);
    raw.y = toInt32(y, `${label}/y.npy`);
    raw.files.y = `${label}/y.npy`;
  }
  if (!raw.masks && names.has('train_mask') && names.has('val_mask')) {
    const split = o.split ?? 0;
    const m = (k: string): { mask: Uint8Array; numSplits: number } => toMask(get(k)!, `${label}/${k}.npy`, n2, split);
    const train = m('train_mask');
    raw.masks = { train: train.mask, val: m('val_mask').mask, test: names.has('test_mask') ? m('test_mask').mask : new Uint8Array(n2) };
    raw.numSplits = train.numSplits;
    raw.split = split;
    raw.splitSource = train.numSplits === 1 ? `from ${label}` : `from ${label}, split ${split} of ${train.numSplits}`;
  }
  return raw;
}

/** Every endpoint in [0, n). */
function checkEdges(edgeIndex: Int32Array, n: number, label: string): void {
  for (let i = 0; i < edgeIndex.length; i++) {
    const v = edgeIndex[i]!;
    if (v < 0 || v >= n) throw new DatasetError('EDATA', `loadDataset: ${label}: edge entry ${i} is node ${v}, outside [0, ${n})`);
  }
}
