import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError, datasetsDir, loadDataset } from '../../lib/data/index.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-data-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
  delete process.env.FATHOM_DATASETS_DIR;
});

type Arrays = { edges: number[][]; y: number[]; train: number[]; val: number[]; test: number[]; x: number[] | null };
/** meta.json as writeTiny writes it; the tests above break it on purpose, one key at a time. */
type Meta = {
  name: string;
  num_nodes: number;
  num_edges: number;
  num_features: number;
  num_classes?: number;
  features_available: boolean;
  files: Record<string, { path: string; dtype: string; shape: number[]; sha256?: string }>;
};

/** A 4-node, 2-class graph in the bundled format, written to `<tmp>/<name>`; `edit` may change meta before it is saved. */
function writeTiny(name = 'tiny', change: Partial<Arrays> = {}, edit?: (meta: Meta) => void): string {
  const a: Arrays = {
    edges: [
      [0, 1, 1, 2],
      [1, 0, 2, 1],
    ],
    y: [0, 1, 1, 0],
    train: [1, 0, 0, 0],
    val: [0, 1, 0, 0],
    test: [0, 0, 1, 1],
    x: [1, 0, 0, 1, 1, 1, 0, 0],
    ...change,
  };
  const dir = join(tmp, name);
  const e = a.edges[0]!.length;
  const files: Record<string, { path: string; dtype: string; shape: number[]; data: Buffer }> = {
    edge_index: { path: 'edge_index.i32.gz', dtype: 'int32', shape: [2, e], data: Buffer.from(Int32Array.from(a.edges.flat()).buffer) },
    y: { path: 'y.i32.gz', dtype: 'int32', shape: [4], data: Buffer.from(Int32Array.from(a.y).buffer) },
    train_mask: { path: 'train_mask.u8.gz', dtype: 'uint8', shape: [4], data: Buffer.from(a.train) },
    val_mask: { path: 'val_mask.u8.gz', dtype: 'uint8', shape: [4], data: Buffer.from(a.val) },
    test_mask: { path: 'test_mask.u8.gz', dtype: 'uint8', shape: [4], data: Buffer.from(a.test) },
  };
  if (a.x) files.x = { path: 'x.f32.gz', dtype: 'float32', shape: [4, 2], data: Buffer.from(Float32Array.from(a.x).buffer) };
  const meta: Meta = {
    name,
    num_nodes: 4,
    num_edges: e,
    num_features: 2,
    num_classes: 2,
    features_available: a.x !== null,
    files: {},
  };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const [key, f] of Object.entries(files)) {
    meta.files[key] = { path: f.path, dtype: f.dtype, shape: f.shape };
    writeFileSync(join(dir, f.path), gzipSync(f.data));
  }
  edit?.(meta);
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  return dir;
}

/** Runs `fn` and returns what it threw, failing the test when nothing was thrown. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, but the call returned normally');
}

describe('loadDataset input validation', () => {
  it('loads the tiny fixture when nothing is wrong with it', () => {
    const ds = loadDataset(writeTiny());
    expect(ds.numNodes).toBe(4);
    expect(Array.from(ds.x!)).toEqual([1, 0, 0, 1, 1, 1, 0, 0]);
  });

  it('rejects an unknown name with a RangeError that lists the available datasets', () => {
    const err = thrown(() => loadDataset('coraa'));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toMatch(/unknown dataset 'coraa'/);
    expect(err.message).toMatch(/cora, cornell/);
    expect(err.message).toMatch(/pubmed/);
  });

  it('reports a missing folder with ENOENT and its absolute path', () => {
    const missing = join(tmp, 'nope');
    const err = thrown(() => loadDataset(missing)) as DatasetError;
    expect(err).toBeInstanceOf(DatasetError);
    expect(err.code).toBe('ENOENT');
    expect(err.message).toBe(`loadDataset: folder ${missing} is missing`);
  });

  it('reports a missing array file by dataset, file name and expected path', () => {
    const dir = join(tmp, 'cora');
    cpSync(join(datasetsDir(), 'cora'), dir, { recursive: true });
    unlinkSync(join(dir, 'x.f32.gz'));
    const err = thrown(() => loadDataset(dir)) as DatasetError;
    expect(err.code).toBe('ENOENT');
    expect(err.message).toBe(`loadDataset: cora/x.f32.gz is missing (expected at ${join(dir, 'x.f32.gz')})`);
  });

  it('reports a missing meta.json', () => {
    const dir = writeTiny();
    unlinkSync(join(dir, 'meta.json'));
    expect(() => loadDataset(dir)).toThrow(`loadDataset: tiny/meta.json is missing (expected at ${join(dir, 'meta.json')})`);
  });

  it('reports meta.json that is not JSON', () => {
    const dir = writeTiny();
    writeFileSync(join(dir, 'meta.json'), '{"num_nodes": 4,');
    const err = thrown(() => loadDataset(dir)) as DatasetError;
    expect(err.code).toBe('EMETA');
    expect(err.message).toMatch(/^loadDataset: tiny\/meta\.json is not valid JSON/);
  });

  it.each([
    ['num_nodes', (m: Meta) => (m.num_nodes = -4), /key 'num_nodes' must be an integer in \[1, 2147483647\] \(got -4\)/],
    ['num_classes', (m: Meta) => delete m.num_classes, /key 'num_classes' .*the key is missing/],
    ['files.y.dtype', (m: Meta) => (m.files.y.dtype = 'float32'), /key 'files\.y\.dtype' must be 'int32' \(got "float32"\)/],
    ['files.x.shape', (m: Meta) => (m.files.x.shape = [4, 3]), /key 'files\.x\.shape' must be \[4, 2\]/],
    ['files.edge_index.shape', (m: Meta) => (m.num_edges = 5), /key 'files\.edge_index\.shape' must be \[2, 5\]/],
    ['files.x.path', (m: Meta) => (m.files.x.path = '../../etc/passwd'), /key 'files\.x\.path' must be a relative file name/],
    ['files.test_mask', (m: Meta) => delete m.files.test_mask, /key 'files\.test_mask' must be an object/],
    ['files.x (features_available)', (m: Meta) => delete m.files.x, /key 'files\.x' is missing although 'features_available' is true/],
    ['files.y.sha256', (m: Meta) => (m.files.y.sha256 = 'abc'), /key 'files\.y\.sha256' must be a 64-digit hex string/],
  ])('names the bad meta.json key %s', (_key, edit, message) => {
    const err = thrown(() => loadDataset(writeTiny('tiny', {}, edit))) as DatasetError;
    expect(err.code).toBe('EMETA');
    expect(err.message).toMatch(message);
  });

  it('reports a truncated gzip file by name', () => {
    const dir = writeTiny();
    const gz = readFileSync(join(dir, 'y.i32.gz'));
    writeFileSync(join(dir, 'y.i32.gz'), gz.subarray(0, gz.length - 10));
    const err = thrown(() => loadDataset(dir)) as DatasetError;
    expect(err.code).toBe('EGZIP');
    expect(err.message).toMatch(/^loadDataset: tiny\/y\.i32\.gz is not a valid gzip file, it is truncated or corrupt/);
  });

  it('reports a corrupt gzip file by name', () => {
    const dir = join(tmp, 'cora');
    cpSync(join(datasetsDir(), 'cora'), dir, { recursive: true });
    const gz = readFileSync(join(dir, 'edge_index.i32.gz'));
    for (let i = 100; i < 200; i++) gz[i] = gz[i]! ^ 0x5a;
    writeFileSync(join(dir, 'edge_index.i32.gz'), gz);
    const err = thrown(() => loadDataset(dir)) as DatasetError;
    expect(err.code).toBe('EGZIP');
    expect(err.message).toMatch(/cora\/edge_index\.i32\.gz is not a valid gzip file/);
  });

  it('states expected and actual bytes when a file decompresses to the wrong size', () => {
    const dir = writeTiny();
    writeFileSync(join(dir, 'y.i32.gz'), gzipSync(Buffer.alloc(12)));
    expect(() => loadDataset(dir)).toThrow('loadDataset: tiny/y.i32.gz holds 12 bytes uncompressed; expected 16 bytes (shape [4] x 4-byte int32)');
    writeFileSync(join(dir, 'y.i32.gz'), gzipSync(Buffer.alloc(1 << 20)));
    expect(() => loadDataset(dir)).toThrow(/tiny\/y\.i32\.gz decompresses to more than 16 bytes; expected exactly 16 bytes/);
  });

  it('verifies checksums of bundled datasets by default and of folders on request', () => {
    const root = join(tmp, 'bundle');
    cpSync(datasetsDir(), root, { recursive: true, filter: (src) => !/tolokers|squirrel/.test(src) });
    const y = new Int32Array(2708).fill(1);
    writeFileSync(join(root, 'cora', 'y.i32.gz'), gzipSync(Buffer.from(y.buffer)));
    process.env.FATHOM_DATASETS_DIR = root;
    const err = thrown(() => loadDataset('cora')) as DatasetError;
    expect(err.code).toBe('ECHECKSUM');
    expect(err.message).toMatch(/^loadDataset: cora\/y\.i32\.gz fails its checksum: sha256 is [0-9a-f]{64}, meta\.json 'files\.y\.sha256' says 3c320e47/);
    // The same folder loaded by path skips the check unless asked.
    expect(loadDataset(join(root, 'cora')).y[0]).toBe(1);
    expect(() => loadDataset(join(root, 'cora'), { verifyChecksums: true })).toThrow(/fails its checksum/);
  });

  it('rejects labels outside [0, num_classes)', () => {
    const err = thrown(() => loadDataset(writeTiny('tiny', { y: [0, 1, 2, 0] }))) as DatasetError;
    expect(err.code).toBe('EDATA');
    expect(err.message).toBe('loadDataset: tiny/y.i32.gz: node 2 has label 2, outside [0, 2) (num_classes = 2; 1 bad labels in all)');
  });

  it('rejects edge endpoints outside [0, num_nodes)', () => {
    const err = thrown(() =>
      loadDataset(
        writeTiny('tiny', {
          edges: [
            [0, 1, 1, 2],
            [1, 0, 4, -1],
          ],
        }),
      ),
    ) as DatasetError;
    expect(err.code).toBe('EDATA');
    expect(err.message).toBe('loadDataset: tiny/edge_index.i32.gz: target of edge 2 is node 4, outside [0, 4) (num_nodes = 4; 2 bad entries in all)');
  });

  it('rejects masks that are not 0 or 1', () => {
    const err = thrown(() => loadDataset(writeTiny('tiny', { val: [0, 2, 0, 0] }))) as DatasetError;
    expect(err.code).toBe('EDATA');
    expect(err.message).toMatch(/^loadDataset: tiny\/val_mask\.u8\.gz: entry 1 \(split 0, node 1\) is 2; masks must be 0 or 1/);
  });

  it('rejects features that are NaN or infinite', () => {
    const err = thrown(() => loadDataset(writeTiny('tiny', { x: [1, 0, 0, NaN, 1, 1, 0, 0] }))) as DatasetError;
    expect(err.code).toBe('EDATA');
    expect(err.message).toBe('loadDataset: tiny/x.f32.gz: feature 1 of node 1 is NaN; features must be finite');
  });

  it('rejects a split index out of range, naming the dataset and how many splits it has', () => {
    const dir = writeTiny();
    expect(() => loadDataset(dir, { split: 1 })).toThrow(new RangeError('loadDataset: split 1 is out of range for tiny, which has 1 split (0..0)'));
    expect(() => loadDataset(dir, { split: -1 })).toThrow(RangeError);
    expect(() => loadDataset(dir, { split: 0.5 })).toThrow(RangeError);
  });

  it('rejects an unknown features option', () => {
    expect(() => loadDataset('cora', { features: 'lazy' as 'auto' })).toThrow(/loadDataset: features must be 'auto', 'random', 'file' or 'none', got "lazy"/);
  });
});
