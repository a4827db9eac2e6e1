import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetsDir, listDatasets, loadDataset } from '../../lib/data/index.js';

const count = (mask: Uint8Array): number => mask.reduce((a, v) => a + v, 0);

function classCounts(y: Int32Array, numClasses: number): number[] {
  const c = new Array<number>(numClasses).fill(0);
  for (const v of y) c[v]!++;
  return c;
}

/** Byte equality: vitest's deep toEqual is far too slow on ten-million-element typed arrays. */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function nonzeros(x: Float32Array): number {
  let nnz = 0;
  for (const v of x) if (v !== 0) nnz++;
  return nnz;
}

describe('loadDataset on the bundled data', () => {
  it('loads Cora with the counts PyG Planetoid gives', () => {
    const cora = loadDataset('cora');
    expect(cora.name).toBe('cora');
    expect(cora.numNodes).toBe(2708);
    expect(cora.numEdges).toBe(10556);
    expect(cora.edgeIndex.length).toBe(2 * 10556);
    expect(cora.numFeatures).toBe(1433);
    expect(cora.numClasses).toBe(7);
    expect(cora.x!.length).toBe(2708 * 1433);
    expect([count(cora.trainMask), count(cora.valMask), count(cora.testMask)]).toEqual([140, 500, 1000]);
    expect(classCounts(cora.y, 7)).toEqual([351, 217, 418, 818, 426, 298, 180]);
    expect(Array.from(cora.y.subarray(0, 10))).toEqual([3, 4, 4, 0, 3, 2, 0, 3, 3, 2]);
    expect(nonzeros(cora.x!)).toBe(49216);
    expect(cora.featureSource).toBe('file');
    expect(cora.featuresAvailable).toBe(true);
    expect(cora.numSplits).toBe(1);
    expect(cora.meta.num_nodes).toBe(2708);
  });

  it('stores Cora edges sorted, in both directions, without self-loops', () => {
    const { edgeIndex, numEdges: e } = loadDataset('cora');
    const keys = new Set<number>();
    let selfLoops = 0;
    let unsorted = 0;
    for (let i = 0; i < e; i++) {
      if (edgeIndex[i] === edgeIndex[e + i]) selfLoops++;
      if (i > 0 && edgeIndex[i]! < edgeIndex[i - 1]!) unsorted++;
      keys.add(edgeIndex[i]! * 4096 + edgeIndex[e + i]!);
    }
    let missingReverse = 0;
    for (let i = 0; i < e; i++) if (!keys.has(edgeIndex[e + i]! * 4096 + edgeIndex[i]!)) missingReverse++;
    expect({ selfLoops, unsorted, missingReverse, distinct: keys.size }).toEqual({
      selfLoops: 0,
      unsorted: 0,
      missingReverse: 0,
      distinct: e,
    });
  });

  it('loads CiteSeer with its class counts, split and feature nonzeros', () => {
    const cs = loadDataset('citeseer');
    expect([cs.numNodes, cs.numEdges, cs.numFeatures, cs.numClasses]).toEqual([3327, 9104, 3703, 6]);
    expect(classCounts(cs.y, 6)).toEqual([264, 590, 668, 701, 596, 508]);
    expect([count(cs.trainMask), count(cs.valMask), count(cs.testMask)]).toEqual([120, 500, 1000]);
    expect(nonzeros(cs.x!)).toBe(105165);
  });

  it('gives PubMed seeded random features and flags them', () => {
    const pm = loadDataset('pubmed');
    expect(pm.featuresAvailable).toBe(false);
    expect(pm.featureSource).toBe('random');
    expect([pm.numNodes, pm.numEdges, pm.numFeatures, pm.numClasses]).toEqual([19717, 88648, 500, 3]);
    expect(pm.x!.length).toBe(19717 * 500);
    expect(classCounts(pm.y, 3)).toEqual([4103, 7739, 7875]);
    let sum = 0;
    let sq = 0;
    for (const v of pm.x!) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / pm.x!.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(sq / pm.x!.length - mean * mean) - 1)).toBeLessThan(0.01);
    expect(sameBytes(loadDataset('pubmed').x!, pm.x!)).toBe(true);
    expect(sameBytes(loadDataset('pubmed', { featureSeed: 7 }).x!, pm.x!)).toBe(false);
  });

  it("refuses PubMed when features: 'file' asks for real features", () => {
    expect(() => loadDataset('pubmed', { features: 'file' })).toThrow(/pubmed has no feature file/);
  });

  it("replaces real features with random ones when features is 'random'", () => {
    const cora = loadDataset('cora', { features: 'random' });
    expect(cora.featureSource).toBe('random');
    expect(cora.featuresAvailable).toBe(true);
    expect(nonzeros(cora.x!)).toBe(2708 * 1433);
  });

  it('normalizes every feature row to sum to 1, or leaves an all-zero row at 0', () => {
    for (const name of ['cora', 'citeseer']) {
      const ds = loadDataset(name, { normalizeFeatures: true });
      let zeroRows = 0;
      for (let i = 0; i < ds.numNodes; i++) {
        let s = 0;
        for (let j = 0; j < ds.numFeatures; j++) s += ds.x![i * ds.numFeatures + j]!;
        if (s === 0) zeroRows++;
        else expect(Math.abs(s - 1)).toBeLessThan(1e-5);
      }
      expect(zeroRows).toBe(name === 'citeseer' ? 15 : 0);
    }
  });

  it('returns the masks of the requested split for datasets with ten splits', () => {
    const s0 = loadDataset('chameleon');
    const s3 = loadDataset('chameleon', { split: 3 });
    expect(s3.split).toBe(3);
    expect(s3.numSplits).toBe(10);
    expect(s3.trainMask.length).toBe(s3.numNodes);
    expect([count(s3.trainMask), count(s3.valMask), count(s3.testMask)]).toEqual([1092, 729, 456]);
    expect(sameBytes(s3.trainMask, s0.trainMask)).toBe(false);
    expect(() => loadDataset('chameleon', { split: 10 })).toThrow(/split 10 is out of range for chameleon, which has 10 splits \(0\.\.9\)/);
  });

  it('loads every bundled dataset, matching its meta.json and index.json', () => {
    const list = listDatasets();
    expect(list.map((d) => d.name).sort()).toEqual(
      [
        'actor',
        'chameleon',
        'chameleon_filtered',
        'citeseer',
        'cora',
        'cornell',
        'minesweeper',
        'pubmed',
        'squirrel',
        'squirrel_filtered',
        'tolokers',
        'texas',
        'wisconsin',
      ].sort(),
    );
    for (const d of list) {
      const ds = loadDataset(d.name);
      expect([ds.numNodes, ds.numEdges, ds.numFeatures, ds.numClasses]).toEqual([d.numNodes, d.numEdges, d.numFeatures, d.numClasses]);
      expect(ds.numSplits).toBe(d.numSplits);
      const sizes = ds.meta.split_sizes as { train: number | number[] };
      expect(count(ds.trainMask)).toBe(Array.isArray(sizes.train) ? sizes.train[0] : sizes.train);
    }
  });

  it('lists the bundled datasets with a one-line summary each', () => {
    const cora = listDatasets().find((d) => d.name === 'cora')!;
    expect(cora.summary).toBe('cora: 2708 nodes, 10556 edges, 1433 features, 7 classes');
    const pubmed = listDatasets().find((d) => d.name === 'pubmed')!;
    expect(pubmed.featuresAvailable).toBe(false);
    expect(pubmed.summary).toMatch(/random/);
  });

  it('matches bundled names case-insensitively', () => {
    expect(loadDataset('CiteSeer').name).toBe('citeseer');
  });

  it('loads a folder given by absolute or relative path', () => {
    const dir = join(datasetsDir(), 'cora');
    const byPath = loadDataset(dir);
    expect(byPath.numNodes).toBe(2708);
    expect(byPath.directory).toBe(dir);
    const rel = relative(process.cwd(), dir);
    expect(sameBytes(loadDataset(rel.includes('/') ? rel : `./${rel}`).y, byPath.y)).toBe(true);
  });
});
