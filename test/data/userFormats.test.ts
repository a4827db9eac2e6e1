import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, type DatasetError, loadDataset, type LoadDatasetOptions, saveDataset } from '../../lib/data/index.js';
import { N, EDGES, X, Y, TRAIN, VAL, TEST, EI } from '../helpers/formatFixture.js';
import { encodeNpy, encodeNpz, encodeZip } from '../helpers/npyWriter.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-formats-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, data: string | Buffer): string {
  const p = join(tmp, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  return p;
}

/** What every loader of the fixture must return. */
function expectFixture(ds: Dataset, masks = true): void {
  expect(ds.numNodes).toBe(N);
  expect(Array.from(ds.edgeIndex)).toEqual(EI);
  expect(Array.from(ds.x!)).toEqual(Array.from(Float32Array.from(X)));
  expect(Array.from(ds.y)).toEqual(Y);
  expect(ds.numClasses).toBe(3);
  if (masks) {
    expect([Array.from(ds.trainMask), Array.from(ds.valMask), Array.from(ds.testMask)]).toEqual([TRAIN, VAL, TEST]);
  }
}

/** saveDataset → loadDataset gives identical arrays. */
function expectRoundTrip(ds: Dataset, name: string): void {
  const dir = join(tmp, `saved-${name}`);
  saveDataset(dir, ds);
  const back = loadDataset(dir);
  expect(back.format).toBe('folder');
  for (const k of ['edgeIndex', 'x', 'y', 'trainMask', 'valMask', 'testMask'] as const) expect(back[k], k).toEqual(ds[k]);
  expect([back.numNodes, back.numEdges, back.numFeatures, back.numClasses]).toEqual([ds.numNodes, ds.numEdges, ds.numFeatures, ds.numClasses]);
}

const csv = (rows: (string | number)[][], sep = ','): string => `${rows.map((r) => r.join(sep)).join('\n')}\n`;
const ids = (mask: number[], base = 0): number[][] => mask.flatMap((m, i) => (m ? [[i + base]] : []));

describe('edge lists', () => {
  it('reads a 1-based CSV with a header, x.npy, y.csv and id-list masks, and round-trips', () => {
    const opts: LoadDatasetOptions = {
      featuresFile: write('el/x.npy', encodeNpy(X, [N, 3], 'float64')),
      labelsFile: write('el/y.csv', csv([['label'], ...Y.map((y) => [y])])),
      trainMaskFile: write('el/train.txt', csv(ids(TRAIN, 1))),
      valMaskFile: write('el/val.txt', csv(ids(VAL, 1))),
      testMaskFile: write('el/test.txt', csv(ids(TEST, 1))),
    };
    const ds = loadDataset(write('el/edges.csv', csv([['source', 'target'], ...EDGES.map(([s, d]) => [s + 1, d + 1])])), opts);
    expectFixture(ds);
    expect(ds.format).toBe('edge-list');
    expect(ds.report.notes).toEqual(['comma-separated', 'header line', 'ids 1-based (detected)']);
    expect(ds.report.split).toBe('from files train.txt, val.txt, test.txt');
    expectRoundTrip(ds, 'edge-list');
  });

  it('reads a TSV of string ids with id,label lines and returns the id mapping', () => {
    const name = (i: number): string => `n${String.fromCharCode(97 + i)}`;
    const ds = loadDataset(
      write(
        'tsv/graph.tsv',
        csv(
          EDGES.map(([s, d]) => [name(s), name(d)]),
          '\t',
        ),
      ),
      {
        labelsFile: write(
          'tsv/labels.tsv',
          csv(
            [...Y.keys()].reverse().map((i) => [name(i), ['cat', 'dog', 'eel'][Y[i]!]!]),
            '\t',
          ),
        ),
      },
    );
    expect(ds.nodeIds).toEqual(['na', 'nb', 'nc', 'nd', 'ne', 'nf', 'ng']);
    expect(ds.nodeIndex!.get('nc')).toBe(2);
    expect(Array.from(ds.edgeIndex)).toEqual(EI);
    expect(ds.classNames).toEqual(['cat', 'dog', 'eel']);
    expect(Array.from(ds.y)).toEqual(Y);
    expect(ds.featureSource).toBe('random');
    expect(ds.report.split).toBe('random fractions 0.6/0.2/0.2 (seed 0)');
    expectRoundTrip(ds, 'tsv');
    expect(loadDataset(join(tmp, 'saved-tsv')).classNames).toEqual(['cat', 'dog', 'eel']);
  });

  it('keeps 0-based ids when told, even when the smallest id is 1', () => {
    const ds = loadDataset(
      write(
        'zb/e.csv',
        csv([
          [1, 2],
          [2, 3],
        ]),
      ),
      { indexBase: 0, labelsFile: write('zb/y.csv', csv([[0], [1], [0], [1]])) },
    );
    expect(ds.numNodes).toBe(4);
    expect(Array.from(ds.edgeIndex)).toEqual([1, 2, 2, 3]);
    expect(ds.report.found.isolatedNodes).toBe(1);
  });

  it('names the file, the line and the problem for malformed text', () => {
    const lines = EDGES.map(([s, d]) => [s, d] as (string | number)[]);
    lines.splice(2, 0, ['# a comment line counts as a line']);
    lines[5] = [5, 6, 7];
    const err = (f: () => unknown): DatasetError => {
      try {
        f();
      } catch (e) {
        return e as DatasetError;
      }
      throw new Error('expected an error');
    };
    const e1 = err(() => loadDataset(write('bad/edges.csv', csv(lines))));
    expect(e1.code).toBe('EFORMAT');
    expect(e1.message).toBe('loadDataset: edges.csv:6: expected 2 columns, got 3');
    const e2 = err(() =>
      loadDataset(
        write(
          'bad/e2.csv',
          csv([
            [0, 1],
            [1, 'x2'],
          ]),
        ),
      ),
    );
    expect(e2.message).toBe("loadDataset: e2.csv:2: expected an integer node id in column 2, got 'x2'");
    const x = csv([
      [1, 2],
      [3, 'oops'],
      [5, 6],
      [7, 8],
    ]);
    const e3 = err(() =>
      loadDataset(
        write(
          'bad/e3.csv',
          csv([
            [0, 1],
            [2, 3],
          ]),
        ),
        { featuresFile: write('bad/x.csv', x) },
      ),
    );
    expect(e3.message).toBe("loadDataset: x.csv:2: column 2 is 'oops', not a number");
    const e4 = err(() =>
      loadDataset(
        write(
          'bad/e4.csv',
          csv([
            [0, 1],
            [2, 3],
          ]),
        ),
        {
          featuresFile: write(
            'bad/x4.csv',
            csv([
              [1, 2],
              [3, 4],
              [5, 'nan'],
              [7, 8],
            ]),
          ),
        },
      ),
    );
    expect(e4.code).toBe('EDATA');
    expect(e4.message).toBe('loadDataset: x4.csv:3: feature 1 is nan; features must be finite (float32)');
    const e5 = err(() =>
      loadDataset(
        write(
          'bad/e5.csv',
          csv([
            [0, 1],
            [2, 3],
          ]),
        ),
        { labelsFile: write('bad/y5.csv', csv([[0], [1], [1]])) },
      ),
    );
    expect(e5.message).toBe('loadDataset: y5.csv has 3 labels, but the graph has 4 nodes');
    const xnpy = write('bad/x6.npy', encodeNpy([0, 1, Number.POSITIVE_INFINITY, 3], [4, 1], 'float32'));
    const e6 = err(() =>
      loadDataset(
        write(
          'bad/e6.csv',
          csv([
            [0, 1],
            [2, 3],
          ]),
        ),
        { featuresFile: xnpy },
      ),
    );
    expect(e6.message).toBe('loadDataset: x6.npy: row 2, column 0 is Infinity; features must be finite');
  });
});

describe('NumPy inputs', () => {
  it('reads a .npy edge index of shape (E, 2) with node files, and round-trips', () => {
    const ds = loadDataset(write('npy/edges.npy', encodeNpy(EDGES.flat(), [EDGES.length, 2], 'int64')), {
      featuresFile: write('npy/x.csv', csv(Array.from({ length: N }, (_, i) => X.slice(3 * i, 3 * i + 3)))),
      labelsFile: write('npy/y.npy', encodeNpy(Y, [N], 'int64')),
      trainMaskFile: write('npy/train.npy', encodeNpy(TRAIN, [N], 'bool')),
      valMaskFile: write('npy/val.npy', encodeNpy(VAL, [N], 'bool')),
      testMaskFile: write('npy/test.npy', encodeNpy(TEST, [N], 'bool')),
    });
    expectFixture(ds);
    expect(ds.format).toBe('npy');
    expectRoundTrip(ds, 'npy');
  });

  it.each([true, false])('reads a PyG-style .npz of arrays (deflated: %s) and round-trips', (compress) => {
    const npz = encodeNpz(
      {
        edge_index: [EI, [2, EDGES.length], 'int64'],
        x: [X, [N, 3], 'float32'],
        y: [Y, [N], 'int64'],
        train_mask: [TRAIN, [N], 'bool'],
        val_mask: [VAL, [N], 'bool'],
        test_mask: [TEST, [N], 'bool'],
      },
      compress,
    );
    const ds = loadDataset(write(`npz/data-${compress}.npz`, npz));
    expectFixture(ds);
    expect(ds.format).toBe('npz');
    expectRoundTrip(ds, `npz-${compress}`);
  });

  it('refuses a negative node id in edge_index, naming the entry', () => {
    const npz = encodeNpz({ edge_index: [[0, 1, 1, -3], [2, 2], 'int64'] }, true);
    expect(() => loadDataset(write('npz/neg.npz', npz))).toThrow('loadDataset: neg.npz/edge_index.npy: edge entry 3 is node -3, outside [0, 2)');
  });

  it('reads masks of shape (N, splits) by the split asked for', () => {
    const two = Array.from({ length: N }, (_, i) => [TRAIN[i]!, VAL[i]!]).flat();
    const npz = encodeNpz(
      {
        edge_index: [EI, [2, EDGES.length], 'int32'],
        y: [Y, [N], 'int32'],
        train_mask: [two, [N, 2], 'bool'],
        val_mask: [two.map((v, i) => (i % 2 ? v : 1 - v)), [N, 2], 'bool'],
      },
      true,
    );
    const ds = loadDataset(write('npz/splits.npz', npz), { split: 1 });
    expect(Array.from(ds.trainMask)).toEqual(VAL);
    expect(ds.numSplits).toBe(2);
  });

  it('reads a SciPy CSR adjacency .npz as the graph', () => {
    // CSR of the fixture's edges in row order: duplicates kept as stored entries.
    const sorted = [...EDGES].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const indptr = [0];
    for (let r = 0; r < N; r++) indptr.push(indptr[r]! + sorted.filter((e) => e[0] === r).length);
    const fmt = Buffer.from(encodeNpy([0x63, 0x73, 0x72], [3], 'uint8').toString('latin1').replace("'|u1'", "'|S3'").replace('(3,)', '()  '), 'latin1');
    const zip = encodeZip(
      {
        'data.npy': encodeNpy(
          sorted.map(() => 1),
          [sorted.length],
          'float32',
        ),
        'indices.npy': encodeNpy(
          sorted.map((e) => e[1]),
          [sorted.length],
          'int32',
        ),
        'indptr.npy': encodeNpy(indptr, [N + 1], 'int32'),
        'shape.npy': encodeNpy([N, N], [2], 'int64'),
        'format.npy': fmt,
      },
      true,
    );
    const ds = loadDataset(write('csr/adj.npz', zip), { labelsFile: write('csr/y.csv', csv(Y.map((y) => [y]))) });
    expect(ds.format).toBe('npz-csr');
    expect(ds.numNodes).toBe(N);
    expect(Array.from(ds.edgeIndex)).toEqual([...sorted.map((e) => e[0]), ...sorted.map((e) => e[1])]);
    expect(ds.report.found).toMatchObject({ selfLoops: 1, duplicateEdges: 1, asymmetricPairs: 1 });
    expectRoundTrip(ds, 'csr');
  });
});

describe('OGB node-property layout', () => {
  it('reads raw/ and split/ as ogbn-arxiv ships them, and round-trips', () => {
    const dir = join(tmp, 'ogbn_tiny');
    const gz = (rows: (string | number)[][]): Buffer => gzipSync(csv(rows));
    write('ogbn_tiny/raw/edge.csv.gz', gz(EDGES));
    write('ogbn_tiny/raw/node-feat.csv.gz', gz(Array.from({ length: N }, (_, i) => X.slice(3 * i, 3 * i + 3))));
    write('ogbn_tiny/raw/node-label.csv.gz', gz(Y.map((y) => [y])));
    write('ogbn_tiny/raw/num-node-list.csv.gz', gz([[N]]));
    write('ogbn_tiny/split/time/train.csv.gz', gz(ids(TRAIN)));
    write('ogbn_tiny/split/time/valid.csv.gz', gz(ids(VAL)));
    write('ogbn_tiny/split/time/test.csv.gz', gz(ids(TEST)));
    const ds = loadDataset(dir);
    expectFixture(ds);
    expect(ds.format).toBe('ogb');
    expect(ds.report.split).toBe("OGB split 'time'");
    expectRoundTrip(ds, 'ogb');
    const und = loadDataset(dir, { undirected: true });
    expect(und.report.applied).toEqual(['toUndirected (+0 edges)']);
    expect(und.report.found).toEqual({ selfLoops: 1, duplicateEdges: 1, asymmetricPairs: 1, isolatedNodes: 1, zeroFeatureRows: 0 });
  });
});

describe('labels', () => {
  it.each([
    ['-1', 'negative'],
    ['nan', 'NaN'],
  ])('refuses a label %s (%s) by line instead of making it a class', (bad) => {
    const edges = write(
      `lab-${bad}/e.csv`,
      csv([
        [0, 1],
        [1, 2],
      ]),
    );
    const labels = write(`lab-${bad}/y.csv`, csv([[0], [bad], [1]]));
    expect(() => loadDataset(edges, { labelsFile: labels })).toThrow(
      `loadDataset: y.csv:2: label '${bad}' is missing or negative; every node needs a class ≥ 0`,
    );
  });
});

describe('class counts', () => {
  it('refuses a label that would make more classes than nodes', () => {
    const edges = write(
      'cls/e.csv',
      csv([
        [0, 1],
        [1, 2],
      ]),
    );
    const labels = write('cls/y.csv', csv([[0], [2000000000], [1]]));
    expect(() => loadDataset(edges, { labelsFile: labels })).toThrow(
      'loadDataset: y.csv: node 1 has label 2000000000, which makes 2000000001 classes for 3 nodes; number the classes 0..C-1 (or give them as names)',
    );
  });
});
