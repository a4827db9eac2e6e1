import { basename } from 'node:path';
import { DatasetError } from '../datasetError.js';
import type { LoadLimits } from '../io/limits.js';
import { readRegularFile } from '../io/readRegularFile.js';
import type { LoadDatasetOptions } from '../loadOptions.js';
import type { Steps } from '../io/steps.js';
import { assembleNodeFiles } from './assembleNodeFiles.js';
import { edgeIndexOf } from './NdArray.js';
import { NodeIds } from './NodeIds.js';
import { parseNpy } from './parseNpy.js';
import type { RawGraph } from './RawGraph.js';

/**
 * Reads a `.npy` edge index of shape (2, E) or (E, 2) (0-based node ids, any integer dtype) and
 * attaches the node files named in the options.
 *
 * @example
 * const raw = runSync(readNpyEdges('edge_index.npy', { featuresFile: 'x.npy', labelsFile: 'y.npy' }, limits));
 */
export function* readNpyEdges(path: string, o: LoadDatasetOptions, limits: LoadLimits): Steps<RawGraph> {
  const label = basename(path);
  const a = parseNpy(readRegularFile(path, { label, maxBytes: limits.maxBytes }), label, limits);
  const edgeIndex = edgeIndexOf(a, label);
  let n = 0;
  for (let i = 0; i < edgeIndex.length; i++) {
    if (edgeIndex[i]! < 0) throw new DatasetError('EDATA', `loadDataset: ${label}: edge entry ${i} is ${edgeIndex[i]}; node ids must be ≥ 0`);
    if (edgeIndex[i]! >= n) n = edgeIndex[i]! + 1;
  }
  yield;
  return yield* assembleNodeFiles(
    { format: 'npy', path, edgeIndex, ids: NodeIds.integers(0), numNodes: n, notes: [`edge index (${a.shape.join(', ')})`] },
    o,
    limits,
  );
}
