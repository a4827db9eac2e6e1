import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetError, loadDataset, loadDatasetAsync, type LoadDatasetOptions, saveDataset } from '../../lib/data/index.js';
import { Rng } from '../../lib/random/rng.js';
import { N, EDGES, X, Y, TRAIN, VAL, TEST, EI } from '../helpers/formatFixture.js';
import { encodeNpy, encodeNpz } from '../helpers/npyWriter.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-async-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NAMES = ['ann', 'bob', 'cid', 'dan', 'eve', 'fay', 'gus'];

function write(name: string, data: string | Buffer): string {
  const p = join(tmp, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  return p;
}
const csv = (rows: (string | number)[][], sep = ','): string => `${rows.map((r) => r.join(sep)).join('\n')}\n`;
const ids = (mask: number[], base = 0): number[][] => mask.flatMap((m, i) => (m ? [[i + base]] : []));
const featureRows = (): number[][] => Array.from({ length: N }, (_, i) => X.slice(3 * i, 3 * i + 3));

/** Each input format with the options it is loaded with. */
const FIXTURES: [string, () => [string, LoadDatasetOptions]][] = [
  [
    '1-based CSV edge list with x.npy, y.csv and id-list masks',
    () => [
      write('el/edges.csv', csv([['source', 'target'], ...EDGES.map(([s, d]) => [s + 1, d + 1])])),
      {
        featuresFile: write('el/x.npy', encodeNpy(X, [N, 3], 'float64')),
        labelsFile: write('el/y.csv', csv([['label'], ...Y.map((y) => [y])])),
        trainMaskFile: write('el/train.txt', csv(ids(TRAIN, 1))),
        valMaskFile: write('el/val.txt', csv(ids(VAL, 1))),
        testMaskFile: write('el/test.txt', csv(ids(TEST, 1))),
      },
    ],
  ],
  [
    "gzip'ed TSV of string ids with keyed features and class-name labels",
    () => [
      write(
        'tsv/edges.tsv.gz',
        gzipSync(
          csv(
            EDGES.map(([s, d]) => [NAMES[s]!, NAMES[d]!]),
            '\t',
          ),
        ),
      ),
      {
        featuresFile: write(
          'tsv/x.tsv',
          csv(
            featureRows().map((r, i) => [NAMES[i]!, ...r]),
            '\t',
          ),
        ),
        labelsFile: write(
          'tsv/y.tsv',
          csv(
            Y.map((y, i) => [NAMES[i]!, ['cat', 'dog', 'eel'][y]!]),
            '\t',
          ),
        ),
        undirected: true,
      },
    ],
  ],
  [
    '.npy edge index with CSV features, .npy labels and masks',
    () => [
      write('npy/edges.npy', encodeNpy(EDGES.flat(), [EDGES.length, 2], 'int64')),
      {
        featuresFile: write('npy/x.csv', csv(featureRows())),
        labelsFile: write('npy/y.npy', encodeNpy(Y, [N], 'int64')),
        trainMaskFile: write('npy/train.npy', encodeNpy(TRAIN, [N], 'bool')),
        valMaskFile: write('npy/val.npy', encodeNpy(VAL, [N], 'bool')),
        coalesce: true,
        removeSelfLoops: true,
      },
    ],
  ],
  ...[true, false].map((compress): [string, () => [string, LoadDatasetOptions]] => [
    `PyG-style .npz (deflated: ${compress})`,
    () => [
      write(
        `npz/data-${compress}.npz`,
        encodeNpz(
          {
            edge_index: [EI, [2, EDGES.length], 'int64'],
            x: [X, [N, 3], 'float32'],
            y: [Y, [N], 'int64'],
            train_mask: [TRAIN, [N], 'bool'],
            val_mask: [VAL, [N], 'bool'],
            test_mask: [TEST, [N], 'bool'],
          },
          compress,
        ),
      ),
      { normalizeFeatures: true },
    ],
  ]),
  [
    'OGB node-property folder',
    () => {
      const gz = (rows: (string | number)[][]): Buffer => gzipSync(csv(rows));
      write('ogbn_tiny/raw/edge.csv.gz', gz(EDGES));
      write('ogbn_tiny/raw/node-feat.csv.gz', gz(featureRows()));
      write('ogbn_tiny/raw/node-label.csv.gz', gz(Y.map((y) => [y])));
      write('ogbn_tiny/raw/num-node-list.csv.gz', gz([[N]]));
      write('ogbn_tiny/split/time/train.csv.gz', gz(ids(TRAIN)));
      write('ogbn_tiny/split/time/valid.csv.gz', gz(ids(VAL)));
      write('ogbn_tiny/split/time/test.csv.gz', gz(ids(TEST)));
      return [join(tmp, 'ogbn_tiny'), { undirected: true }];
    },
  ],
  [
    'Fathom folder written by saveDataset, with a random split',
    () => {
      const dir = join(tmp, 'saved');
      saveDataset(dir, loadDataset(write('saved-src/edges.csv', csv(EDGES)), { labelsFile: write('saved-src/y.csv', csv(Y.map((y) => [y]))) }));
      return [dir, { randomSplit: { kind: 'fractions', train: 0.5, val: 0.25, seed: 3 } }];
    },
  ],
  ['bundled cora', () => ['cora', { normalizeFeatures: true, verifyChecksums: true }]],
];

describe('loadDatasetAsync gives what loadDataset gives', () => {
  it.each(FIXTURES)('for a %s', async (_name, make) => {
    const [path, options] = make();
    const sync = loadDataset(path, options);
    const async = await loadDatasetAsync(path, options);
    const arrays = ['edgeIndex', 'x', 'y', 'trainMask', 'valMask', 'testMask'] as const;
    const bytes = (a: ArrayBufferView | null): Buffer => (a === null ? Buffer.alloc(0) : Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    for (const k of arrays) {
      expect(async[k]?.constructor, k).toBe(sync[k]?.constructor);
      expect(bytes(async[k]).equals(bytes(sync[k])), k).toBe(true);
    }
    // Everything else (report, meta, node ids, class names) compared whole; the arrays above byte for byte.
    const rest = (d: typeof sync): Record<string, unknown> => Object.fromEntries(Object.entries(d).filter(([k]) => !(arrays as readonly string[]).includes(k)));
    expect(rest(async)).toEqual(rest(sync));
  });
});

/** A multi-MB edge list over `nodes` nodes (fixed seed) and a CSV of 2 features per node. */
function bigInput(nodes: number, edges: number): { edges: string; features: string } {
  const rng = new Rng(7);
  const lines: string[] = [];
  for (let e = 0; e < edges; e++) lines.push(`${rng.nextInt(nodes)},${rng.nextInt(nodes)}`);
  lines.push(`${nodes - 1},0`);
  const feats: string[] = [];
  for (let i = 0; i < nodes; i++) feats.push(`${(i % 97) / 8},${(i % 13) / 4}`);
  return { edges: write('big/edges.csv.gz', gzipSync(`${lines.join('\n')}\n`)), features: write('big/x.csv', `${feats.join('\n')}\n`) };
}

describe('loadDatasetAsync keeps the event loop running', () => {
  let big: { edges: string; features: string };
  beforeAll(() => {
    big = bigInput(200_000, 600_000);
  });

  it('lets interval timers fire during a multi-MB load, reports progress, and matches the sync load', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const lines: string[] = [];
    let ds: Awaited<ReturnType<typeof loadDatasetAsync>>;
    try {
      ds = await loadDatasetAsync(big.edges, { featuresFile: big.features, onProgress: (l) => lines.push(l) });
    } finally {
      clearInterval(timer);
    }
    // A load that blocked the loop would resolve before any timer ran.
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(lines).toContainEqual(expect.stringMatching(/^x\.csv: 200000 feature rows read \(\d+ %\)$/));
    const sync = loadDataset(big.edges, { featuresFile: big.features });
    expect(Buffer.from(ds.edgeIndex.buffer).equals(Buffer.from(sync.edgeIndex.buffer))).toBe(true);
    expect(Buffer.from(ds.x!.buffer).equals(Buffer.from(sync.x!.buffer))).toBe(true);
    expect(ds.numEdges).toBe(600_001);
  });

  it('rejects with the abort reason mid-load, and with an already aborted signal', async () => {
    const controller = new AbortController();
    const reason = new Error('stop here');
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks === 1) controller.abort(reason);
    }, 0);
    try {
      await expect(loadDatasetAsync(big.edges, { featuresFile: big.features, signal: controller.signal })).rejects.toBe(reason);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(1);
    await expect(loadDatasetAsync('cora', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('refuses a signal that is not an AbortSignal, naming the option', async () => {
    await expect(loadDatasetAsync('cora', { signal: {} as AbortSignal })).rejects.toThrow(
      'loadDatasetAsync: options.signal must be an AbortSignal, got object',
    );
  });
});

describe('loadDatasetAsync refuses what loadDataset refuses', () => {
  const refusals: [string, () => [string, LoadDatasetOptions]][] = [
    ['a gzip bomb past maxBytes (ESIZE)', () => [write('bomb/edges.csv.gz', gzipSync(Buffer.from('0,1\n'.repeat(1 << 18)))), { maxBytes: 1 << 16 }]],
    ['a truncated gzip file (EGZIP)', () => [write('trunc/edges.csv.gz', gzipSync(csv(EDGES)).subarray(0, 30)), {}]],
    ['a folder declaring arrays over the budget (ELIMIT)', () => [join(tmp, 'saved'), { maxBytes: 64 }]],
    [
      'a folder array that inflates past its declared size (ESIZE)',
      () => {
        const dir = join(tmp, 'saved-long');
        saveDataset(dir, loadDataset(join(tmp, 'saved')));
        writeFileSync(join(dir, 'y.i32.gz'), gzipSync(Buffer.alloc(4 * (N + 1))));
        return [dir, {}];
      },
    ],
    [
      'a corrupt deflated .npz entry (EFORMAT)',
      () => {
        const npz = encodeNpz({ edge_index: [EI, [2, EDGES.length], 'int64'] }, true);
        const i = npz.indexOf('edge_index.npy') + 'edge_index.npy'.length;
        npz.fill(0xff, i, i + 8);
        return [write('bad/corrupt.npz', npz), {}];
      },
    ],
    [
      'a FIFO given as the labels file (EFILE)',
      () => {
        const fifo = join(tmp, 'fifo-labels');
        execFileSync('mkfifo', [fifo]);
        return [write('fifo/edges.csv', csv(EDGES)), { labelsFile: fifo }];
      },
    ],
  ];

  it.each(refusals)('such as %s', async (_name, make) => {
    const [path, options] = make();
    let sync: DatasetError | undefined;
    try {
      loadDataset(path, options);
    } catch (err) {
      sync = err as DatasetError;
    }
    expect(sync).toBeInstanceOf(Error);
    const async = await loadDatasetAsync(path, options).then(
      () => undefined,
      (err: unknown) => err as DatasetError,
    );
    expect(async?.constructor).toBe(sync!.constructor);
    expect(async?.code).toBe(sync!.code);
    expect(async?.message).toBe(sync!.message);
  });
});
