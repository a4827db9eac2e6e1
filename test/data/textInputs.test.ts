import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetError, loadDataset, Rng, saveDataset, sbmGraph } from '../../lib/data/index.js';
import { TextTable } from '../../lib/data/io/TextTable.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-text-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, data: string | Buffer): string {
  const p = join(tmp, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  return p;
}

describe('TextTable', () => {
  it('parses numbers exactly as Number() does, in every form numpy and JavaScript write', () => {
    const rng = new Rng(11);
    const values: string[] = ['0.1', '-0', '1e-22', '123456789012345e7', '.5', '5.', '1e400', '-2.5E+3', '1234567890123456789', '3e38'];
    for (let i = 0; i < 20_000; i++) {
      const r = rng.nextFloat();
      values.push((r * 2 - 1).toFixed(6), String(r), (r * 1e5).toExponential(4), String(Math.floor(r * 1e9)), `-${(r / 1e3).toPrecision(7)}`);
    }
    const t = new TextTable(Buffer.from(values.join('\n')), 'n.csv');
    const got: number[] = [];
    while (t.next()) got.push(t.num(0));
    expect(got).toEqual(values.map(Number));
    expect(got.every((v, i) => Object.is(v, Number(values[i])))).toBe(true);
  });

  it('detects the delimiter, skips comments and blank lines, and counts lines as an editor does', () => {
    const t = new TextTable(Buffer.from('# SNAP header\n\n1  2\r\n% more\n3   4\n'), 'g.txt');
    const rows: [number, number, number][] = [];
    while (t.next()) rows.push([t.line, t.int(0), t.int(1)]);
    expect(t.delimiter).toBe('whitespace');
    expect(rows).toEqual([
      [3, 1, 2],
      [5, 3, 4],
    ]);
  });
});

describe('edge list detection', () => {
  it('reads a gzip-compressed whitespace-separated SNAP file with comments', () => {
    const ds = loadDataset(write('snap.txt.gz', gzipSync('# Directed graph\n# FromNodeId\tToNodeId\n0 1\n1 2\n2 0\n')));
    expect(Array.from(ds.edgeIndex)).toEqual([0, 1, 2, 1, 2, 0]);
    expect(ds.report.notes).toEqual(['whitespace-separated', 'no header', 'ids 0-based (detected)']);
    expect(ds.report.found.asymmetricPairs).toBe(3);
  });

  it('refuses a gzip bomb at the budget while inflating, naming the file', () => {
    const bomb = write('bomb.csv.gz', gzipSync(Buffer.alloc(64 << 20, '1,2\n')));
    let err: DatasetError | undefined;
    try {
      loadDataset(bomb, { maxBytes: 1 << 20 });
    } catch (e) {
      err = e as DatasetError;
    }
    expect(err?.code).toBe('ESIZE');
    expect(err?.message).toBe('loadDataset: bomb.csv.gz decompresses to more than 1.05 MB, the most it may hold');
  });

  it('follows a symlink that stays inside the dataset folder', () => {
    const dir = join(tmp, 'linked');
    saveDataset(dir, sbmGraph({ numNodes: 30, numEdges: 60, numFeatures: 3, numClasses: 2, seed: 1 }));
    mkdirSync(join(dir, 'store'));
    writeFileSync(join(dir, 'store', 'y.bin.gz'), gzipSync(Buffer.from(new Int32Array(30).map((_, i) => i % 2).buffer)));
    rmSync(join(dir, 'y.i32.gz'));
    symlinkSync(join('store', 'y.bin.gz'), join(dir, 'y.i32.gz'));
    expect(Array.from(loadDataset(dir).y.subarray(0, 4))).toEqual([0, 1, 0, 1]);
  });
});

describe('progress', () => {
  it('reports a status line per million edges while a large edge list is read', () => {
    const lines: string[] = [];
    const rows = Array.from({ length: 1_000_500 }, (_, i) => `${i % 1000},${(i * 7) % 1000}`);
    const ds = loadDataset(write('large.csv', `${rows.join('\n')}\n`), { onProgress: (l) => lines.push(l) });
    expect(ds.numEdges).toBe(1_000_500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^large\.csv: 1000000 edges read \(\d+ %\)$/);
  });
});
