import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DatasetError } from '../datasetError.js';
import type { LoadLimits } from '../io/limits.js';
import { checkRegularFile, readMaybeGzip } from '../io/readRegularFile.js';
import type { Steps } from '../io/steps.js';
import { TextTable } from '../io/TextTable.js';
import type { LoadDatasetOptions } from '../loadOptions.js';
import { NodeIds } from './NodeIds.js';
import type { RawGraph } from './RawGraph.js';
import { readEdgeList } from './readEdgeList.js';
import { readFeatures, readLabels, readMask } from './readNodeFiles.js';

/** Whether a folder looks like an OGB node-property dataset as downloaded (`raw/edge.csv.gz`). */
export function isOgbFolder(dir: string): boolean {
  return existsSync(join(dir, 'raw', 'edge.csv.gz')) || existsSync(join(dir, 'raw', 'edge.csv'));
}

/**
 * Reads an OGB node-property dataset in the layout the `ogb` package downloads (ogbn-arxiv,
 * ogbn-products, ...): `raw/edge.csv.gz` (0-based `src,dst` lines, stored one way as OGB
 * ships them), `raw/node-feat.csv.gz`, `raw/node-label.csv.gz`, `raw/num-node-list.csv.gz`
 * when present, and `split/<name>/{train,valid,test}.csv.gz` (node indices). Every file must be
 * a regular file inside the folder.
 *
 * @example
 * const raw = runSync(readOgb('/data/ogbn_arxiv', { undirected: true }, limits));
 */
export function* readOgb(dir: string, o: LoadDatasetOptions, limits: LoadLimits): Steps<RawGraph> {
  const name = basename(dir);
  const file = (...parts: string[]): string | null => {
    for (const p of [join(dir, ...parts), `${join(dir, ...parts)}.gz`]) {
      if (existsSync(p)) {
        checkRegularFile(p, { label: `${name}/${parts.join('/')}`, root: dir, maxBytes: limits.maxBytes });
        return p;
      }
    }
    return null;
  };
  const plain = { ...o, header: false, indexBase: 0 as const };
  const edges = yield* readEdgeList(file('raw', 'edge.csv')!, plain, limits);
  const ids = NodeIds.integers(0);
  const ctx = { o: plain, limits, ids };

  let n = edges.numNodes;
  const countFile = file('raw', 'num-node-list.csv');
  if (countFile) {
    const t = new TextTable(
      yield* readMaybeGzip(countFile, { label: `${name}/raw/num-node-list.csv.gz`, maxBytes: 1 << 20 }),
      `${name}/raw/num-node-list.csv.gz`,
    );
    if (!t.next() || !(t.int(0) >= n)) throw t.error(`expected one node count ≥ ${n} (the largest id in raw/edge.csv.gz + 1)`);
    n = t.int(0);
  }
  const featFile = file('raw', 'node-feat.csv');
  const feats = featFile ? yield* readFeatures(featFile, ctx) : null;
  if (feats && feats.x.length / feats.numFeatures !== n) {
    throw new DatasetError('EDATA', `loadDataset: ${name}/raw/node-feat.csv.gz has ${feats.x.length / feats.numFeatures} rows, expected ${n} (one per node)`);
  }
  const labelFile = file('raw', 'node-label.csv');
  const labels = labelFile ? yield* readLabels(labelFile, ctx) : null;
  if (labels && labels.values.length !== n) {
    throw new DatasetError('EDATA', `loadDataset: ${name}/raw/node-label.csv.gz has ${labels.values.length} labels, expected ${n} (one per node)`);
  }

  const splitRoot = join(dir, 'split');
  const splits = existsSync(splitRoot)
    ? readdirSync(splitRoot, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const chosen = o.ogbSplit ?? splits[0];
  if (o.ogbSplit !== undefined && !splits.includes(o.ogbSplit)) {
    throw new RangeError(`loadDataset: ${name} has no split '${o.ogbSplit}' (split/ holds: ${splits.join(', ') || 'nothing'})`);
  }
  let masks: RawGraph['masks'] = null;
  if (chosen !== undefined) {
    const mask = function* (part: string): Steps<Uint8Array> {
      const p = file('split', chosen, `${part}.csv`);
      if (!p) throw new DatasetError('ENOENT', `loadDataset: ${name}/split/${chosen}/${part}.csv.gz is missing`, { path: join(splitRoot, chosen) });
      return yield* readMask(p, ctx, n, 0);
    };
    masks = { train: yield* mask('train'), val: yield* mask('valid'), test: yield* mask('test') };
  }
  return {
    name,
    format: 'ogb',
    source: dir,
    directory: dir,
    numNodes: n,
    edgeIndex: edges.edgeIndex,
    x: feats?.x ?? null,
    numFeatures: feats?.numFeatures ?? 0,
    y: labels?.values ?? null,
    masks,
    splitSource: chosen === undefined ? undefined : `OGB split '${chosen}'`,
    split: 0,
    numSplits: 1,
    nodeIds: null,
    classNames: labels?.classNames ?? null,
    meta: null,
    files: { y: 'raw/node-label.csv.gz' },
    notes: ['OGB node-property layout'],
  };
}
