// Partitioned features and NCCL's status in one process (no mpirun): the partition book, the
// store of a world of one (which holds every row and gathers them as a plain lookup does), fit's
// refusals, and a missing or wrong NCCL library reported, never used.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { DistributedFeatures, initDistributed, mpiStatus, partitionBook, partitionFeatures } from '../../lib/distributed/index.js';
import { GraphSAGE } from '../../lib/models/GraphSAGE.js';
import { metisStatus } from '../../lib/sampling/metisParts.js';
import { neighborLoader } from '../../lib/sampling/neighborLoader.js';
import { fit } from '../../lib/train/fit.js';
import { DIST_INDEX, ensureDistBuilt, expectFathom, liveCpu, smallNodeData } from '../helpers/apiFixtures.js';
import { buildFakeNccl, CC } from '../helpers/fakeNccl.js';
import { encodeNpy } from '../helpers/npyWriter.js';
import { runCli } from '../helpers/runCli.js';

describe('the partition book', () => {
  it('splits nodes into contiguous ranges whose sizes differ by at most one', async () => {
    using data = smallNodeData({ numNodes: 10 });
    expect([...(await partitionBook(data.graph, 4, { method: 'contiguous' }))]).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 3, 3]);
  });

  it('draws a random split from its seed alone, of near-equal parts', async () => {
    using data = smallNodeData();
    const a = await partitionBook(data.graph, 3, { method: 'random', seed: 5 });
    expect(await partitionBook(data.graph, 3, { method: 'random', seed: 5 })).toEqual(a);
    expect(await partitionBook(data.graph, 3, { method: 'random', seed: 6 })).not.toEqual(a);
    const sizes = [0, 1, 2].map((r) => a.filter((o) => o === r).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((s, x) => s + x)).toBe(data.graph.numNodes);
  });

  it.skipIf(!metisStatus().available)('takes METIS clusters within its 3 % imbalance, the same every time', async () => {
    using data = smallNodeData();
    const a = await partitionBook(data.graph, 4, { method: 'metis' });
    expect(await partitionBook(data.graph, 4, { method: 'auto' })).toEqual(a);
    for (let r = 0; r < 4; r++) expect(a.filter((o) => o === r).length).toBeLessThanOrEqual(Math.ceil((1.03 * data.graph.numNodes) / 4));
  });

  it('names an unknown method and a bad part count', async () => {
    using data = smallNodeData();
    await expect(partitionBook(data.graph, 2, { method: 'spectral' as 'metis' })).rejects.toThrow(
      /partitionBook: method must be one of 'auto', .* got spectral/,
    );
    await expect(partitionBook(data.graph, 0)).rejects.toThrow(/partitionBook: numParts must be an integer ≥ 1, got 0/);
  });
});

describe('DistributedFeatures in a world of one', () => {
  it('holds every row and gathers any of them, repeats and empty requests included, as the full matrix has them', async () => {
    initDistributed();
    using data = smallNodeData();
    using store = await partitionFeatures(data, { method: 'random' });
    const F = data.numFeatures;
    const full = data.x.toArray();
    expect(store.nbytes).toBe(full.byteLength);
    expect(store.localNodes.length).toBe(data.graph.numNodes);
    const ids = new Int32Array([7, 0, 7, data.graph.numNodes - 1, 3]);
    using rows = store.gather(ids);
    expect(rows.shape).toEqual([5, F]);
    expect([...rows.toArray()]).toEqual([...ids].flatMap((v) => [...full.subarray(v * F, (v + 1) * F)]));
    using none = store.gather(new Int32Array(0));
    expect(none.shape).toEqual([0, F]);
  });

  it('names the op, the id and its position for an id outside the graph, and refuses other id arrays and a disposed store', async () => {
    initDistributed();
    using data = smallNodeData();
    const store = await partitionFeatures(data);
    const n = data.graph.numNodes;
    expectFathom(() => store.gather(new Int32Array([0, n])), 'RANGE', `gather: node id ${n} at position 1 is not in [0, ${n})`);
    expectFathom(() => store.gather(new Int32Array([-1])), 'RANGE', 'node id -1 at position 0');
    expect(() => store.gather([0, 1] as unknown as Int32Array)).toThrow(/gather: argument nodeIds must be an Int32Array/);
    store.dispose();
    store.dispose();
    expectFathom(() => store.gather(new Int32Array([0])), 'TYPE', 'gather', 'disposed');
  });

  it('reads its rows from a .npy file as the data holds them, and names a file of another row count or a Graph without one', async () => {
    initDistributed();
    using data = smallNodeData();
    const [n, F] = [data.graph.numNodes, data.numFeatures];
    const dir = mkdtempSync(join(tmpdir(), 'fathom-fs-'));
    try {
      const file = join(dir, 'x.npy');
      writeFileSync(file, encodeNpy(data.x.toArray(), [n, F], 'float32'));
      using store = await partitionFeatures(data.graph, { method: 'random', featuresFile: file });
      const ids = Int32Array.from({ length: n }, (_, i) => (i * 7) % n);
      using rows = store.gather(ids);
      using full = await partitionFeatures(data);
      using expected = full.gather(ids);
      expect(rows.toArray()).toEqual(expected.toArray());
      const short = join(dir, 'short.npy');
      writeFileSync(short, encodeNpy(new Array((n - 1) * F).fill(0), [n - 1, F], 'float32'));
      await expect(partitionFeatures(data, { featuresFile: short })).rejects.toThrow(
        `partitionFeatures: ${short} holds ${n - 1} rows; the graph has ${n} nodes`,
      );
      await expect(partitionFeatures(data.graph)).rejects.toThrow(
        /partitionFeatures: argument data must be a NodeData .*or a Graph with options\.featuresFile/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks the rows and the book it is built from', () => {
    initDistributed();
    expectFathom(
      () => DistributedFeatures.fromLocal({ owner: new Int32Array([0, 1]), rows: new Float32Array(4), numFeatures: 2 }),
      'RANGE',
      'owner[1] = 1 is not a rank in [0, 1)',
    );
    expectFathom(
      () => DistributedFeatures.fromLocal({ owner: new Int32Array([0, 0]), rows: new Float32Array(3), numFeatures: 2 }),
      'SHAPE',
      'owns 2 nodes of 2 features (4 values); rows has 3',
    );
  });
});

describe("fit's features option", () => {
  it('trains with partitioned features exactly as with replicated ones, and refuses them without distributed or batches', async () => {
    initDistributed();
    using data = smallNodeData();
    using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [5, 5], batchSize: 40, shuffle: true, seed: 1 });
    const run = async (features: 'replicated' | 'partitioned') => {
      using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, seed: 2 });
      const r = await fit(model, data, { epochs: 2, patience: 0, batches: loader, distributed: true, features });
      return { losses: r.history.map((h) => h.trainLoss), w: model.parameters().flatMap((p) => [...p.toArray()]) };
    };
    const replicated = await run('replicated'); // builds the data's cached operators first
    const live = liveCpu().tensors;
    expect(await run('partitioned')).toEqual(replicated);
    // Every batch's gathered rows, and fit's own store, were freed.
    expect(liveCpu().tensors).toBe(live);
    using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, seed: 2 });
    await expect(fit(model, data, { batches: loader, features: 'partitioned' })).rejects.toThrow(/features 'partitioned' is for distributed training/);
    await expect(fit(model, data, { distributed: true, features: 'partitioned' })).rejects.toThrow(/features 'partitioned' feeds sampled batches; add batches/);
    await expect(fit(model, data, { distributed: true, batches: loader, features: 'sharded' as 'partitioned' })).rejects.toThrow(
      /features.*'replicated', 'partitioned' or a DistributedFeatures/,
    );
  });
});

describe('fathom train --partition-features', () => {
  it('refuses it without --distributed, without --batch-size and with an unknown method, before loading data', async () => {
    const train = ['train', '--dataset', 'cora', '--model', 'sage', '--epochs', '1', '--device', 'cpu'];
    const alone = await runCli([...train, '--batch-size', '64', '--fanout', '5,5', '--partition-features']);
    expect(alone.status).not.toBe(0);
    expect(alone.stderr).toContain('--partition-features splits the features across the ranks of --distributed; add --distributed');
    const full = await runCli([...train, '--distributed', '--partition-features', 'metis']);
    expect(full.stderr).toContain('--partition-features feeds sampled batches; add --batch-size');
    const odd = await runCli([...train, '--distributed', '--batch-size', '64', '--fanout', '5,5', '--partition-features', 'spectral']);
    expect(odd.stderr).toContain("--partition-features takes auto, metis, random, contiguous (or no value: auto), got 'spectral'");
    for (const r of [alone, full, odd]) expect(r.stderr).not.toMatch(/loaded .*cora/);
  });
});

describe('NCCL', () => {
  const ncclIn = (library: string | null) => {
    ensureDistBuilt();
    const script = `import(${JSON.stringify(DIST_INDEX)}).then((f) => console.log(JSON.stringify(f.mpiStatus().nccl)));`;
    const env = { ...process.env };
    if (library !== null) env.FATHOM_NCCL_LIBRARY = library;
    return JSON.parse(spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' }).stdout) as Record<string, unknown>;
  };

  it('is reported unavailable, naming the file, when FATHOM_NCCL_LIBRARY does not open, and not in use', () => {
    expect(ncclIn('/nonexistent/libnccl.so.2')).toMatchObject({
      available: false,
      inUse: false,
      library: '',
      reason: expect.stringMatching(/^cannot open \/nonexistent\/libnccl\.so\.2/),
    });
  });

  it('is reported unavailable, naming the missing entry point, when the library is not NCCL', () => {
    expect(ncclIn('libm.so.6')).toMatchObject({ available: false, inUse: false, reason: 'libm.so.6 lacks ncclGetUniqueId (not NCCL 2)' });
  });

  it.skipIf(CC === null)("loads a library with NCCL 2's entry points and reads its version, yet leaves it unused without a GPU", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fathom-nccl-'));
    try {
      const lib = buildFakeNccl(dir);
      expect(ncclIn(lib)).toEqual({ available: true, library: lib, version: 22304, inUse: false });
      const info = await runCli(['info'], { env: { FATHOM_NCCL_LIBRARY: lib } });
      expect(info.stdout).toContain(`NCCL 2.23.4 (${lib})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what mpiStatus() and `fathom info` report', async () => {
    const here = mpiStatus().nccl;
    expect(here.inUse).toBe(false);
    if (!here.available) expect(here.reason).toMatch(/libnccl\.so\.2/);
    const info = await runCli(['info', '--json']);
    expect(info.status, info.stderr).toBe(0);
    expect((JSON.parse(info.stdout) as { mpi: { nccl: unknown } }).mpi.nccl).toEqual(here);
    const text = await runCli(['info'], { env: { FATHOM_NCCL_LIBRARY: 'libm.so.6' } });
    expect(text.stdout).toMatch(/NCCL\s*\|\s*unavailable: libm\.so\.6 lacks ncclGetUniqueId/);
  });
});
