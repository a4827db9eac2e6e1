// loadDataset's features: 'none' (the features left on disk, their width known) and NodeData
// without features: what a rank of a partitioned-features run loads before reading its own rows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { loadDataset } from '../../lib/data/loadDataset.js';
import { NodeData } from '../../lib/data/NodeData.js';
import { expectFathom } from '../helpers/apiFixtures.js';
import { encodeNpy } from '../helpers/npyWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'fathom-ondisk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A 6-node path with 3 features per node and labels 0/1.
const edges = join(dir, 'edges.csv');
writeFileSync(edges, '0,1\n1,2\n2,3\n3,4\n4,5\n');
const x = join(dir, 'x.npy');
writeFileSync(
  x,
  encodeNpy(
    Array.from({ length: 18 }, (_, i) => i + 1),
    [6, 3],
    'float32',
  ),
);
const y = join(dir, 'y.npy');
writeFileSync(y, encodeNpy([0, 1, 0, 1, 0, 1], [6], 'int32'));

describe("loadDataset with features: 'none'", () => {
  it("leaves a .npy feature file unread: x is empty, the width is the header's, the graph and labels load as before", () => {
    const whole = loadDataset(edges, { featuresFile: x, labelsFile: y });
    const ds = loadDataset(edges, { featuresFile: x, labelsFile: y, features: 'none', normalizeFeatures: true });
    expect([ds.x?.length, ds.numFeatures, ds.featureSource, ds.report.features]).toEqual([0, 3, 'none', 'none']);
    expect([ds.numNodes, ds.edgeIndex, ds.y, ds.trainMask]).toEqual([whole.numNodes, whole.edgeIndex, whole.y, whole.trainMask]);
  });

  it("keeps a bundled folder's features unread, their width from meta.json", () => {
    const ds = loadDataset('cora', { features: 'none' });
    expect([ds.x?.length, ds.numFeatures, ds.numNodes, ds.featureSource]).toEqual([0, 1433, 2708, 'none']);
  });

  it('names a feature file that cannot stay on disk, one of another row count, and an input without features', () => {
    const csv = join(dir, 'x.csv');
    writeFileSync(csv, '1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n');
    expect(() => loadDataset(edges, { featuresFile: csv, features: 'none' })).toThrow(
      /loadDataset: features 'none' leaves a \.npy featuresFile on disk; x\.csv is not one/,
    );
    const short = join(dir, 'short.npy');
    writeFileSync(short, encodeNpy(new Array(15).fill(1), [5, 3], 'float32'));
    expect(() => loadDataset(edges, { featuresFile: short, numNodes: 6, features: 'none' })).toThrow(
      /loadDataset: short\.npy has 5 rows, but the graph has 6 nodes/,
    );
    expect(() => loadDataset(edges, { features: 'none' })).toThrow(/loadDataset: features 'none' leaves the features on disk but needs their width/);
  });
});

describe('NodeData without features', () => {
  it('holds the graph, labels and masks, and says why x is not there', () => {
    const ds = loadDataset(edges, { featuresFile: x, labelsFile: y, features: 'none' });
    expect(() => NodeData.from(ds)).toThrow(/NodeData\.from: dataset edges has no features \(loaded with features: 'none'\? then pass features: false\)/);
    using data = NodeData.from(ds, { features: false });
    expect([data.numFeatures, data.graph.numNodes, data.hasFeatures, [...data.labels]]).toEqual([3, 6, false, [0, 1, 0, 1, 0, 1]]);
    expectFathom(() => data.x, 'TYPE', 'NodeData.x: this data was built without features');
    expectFathom(() => data.features, 'TYPE', 'DistributedFeatures store');
  });
});
