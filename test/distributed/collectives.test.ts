// The distributed API in one process (no mpirun): a world of one, its collectives the identity,
// fit({ distributed }) the same run as without it, and the errors named by function and value.
import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { allReduce, barrier, broadcast, initDistributed, mpiStatus, rank, worldSize } from '../../lib/distributed/index.js';
import { GraphSAGE } from '../../lib/models/GraphSAGE.js';
import { neighborLoader } from '../../lib/sampling/neighborLoader.js';
import { partitionLoader } from '../../lib/sampling/partitionLoader.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { fit } from '../../lib/train/fit.js';
import { DIST_INDEX, ensureDistBuilt, expectFathom, expectFathomRejects, liveCpu, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

describe('the distributed runtime in one process', () => {
  it('refuses collectives before initDistributed() with a DISTRIBUTED error naming the call', () => {
    using t = Tensor.from([1, 2]);
    expectFathom(() => allReduce(t), 'DISTRIBUTED', 'allReduce', 'initDistributed()');
    expectFathom(() => broadcast(t, 0), 'DISTRIBUTED', 'broadcast');
    expectFathom(() => barrier(), 'DISTRIBUTED', 'barrier');
    expectFathom(() => rank(), 'DISTRIBUTED', 'rank');
  });

  it('is a world of one without mpirun, initialized once, whose collectives leave values as they are', () => {
    const world = initDistributed();
    expect(world).toEqual({ rank: 0, worldSize: 1, mpi: false });
    expect(initDistributed()).toBe(world);
    expect([rank(), worldSize()]).toEqual([0, 1]);
    using a = Tensor.from(new Float64Array([1.5, -2, 3]));
    expect(allReduce(a, { op: 'mean' })).toBe(a);
    expect([...a.toArray()]).toEqual([1.5, -2, 3]);
    using b = Tensor.from(new Int32Array([7, 8]));
    expect([...broadcast(b, 0).toArray()]).toEqual([7, 8]);
    barrier();
  });

  it('names the dtype, the op, the root and a disposed tensor in its errors', () => {
    initDistributed();
    using i = Tensor.from(new Int32Array([1]));
    expectFathom(() => allReduce(i), 'TYPE', 'allReduce', 'f32 or f64', 'i32');
    using f = Tensor.from([1]);
    expectFathom(() => allReduce(f, { op: 'max' as 'sum' }), 'RANGE', "'sum' or 'mean'", 'max');
    expectFathom(() => broadcast(f, 1), 'RANGE', 'root', '[0, 1)', '1');
    const gone = Tensor.from([1]);
    gone.dispose();
    expectFathom(() => allReduce(gone), 'TYPE', 'allReduce', 'disposed');
    expectFathom(() => broadcast(gone), 'TYPE', 'broadcast', 'disposed');
  });

  it('reports whether Open MPI opens, and which library', () => {
    const s = mpiStatus();
    if (s.available) expect(s.library).toMatch(/libmpi\.so/);
    else expect(s.reason).toMatch(/cannot open .*libmpi/);
  });
});

describe('fit({ distributed }) in a world of one', () => {
  it('trains exactly as without it, full-batch and on sampled batches, freeing what it made', async () => {
    initDistributed();
    using data = smallNodeData();
    const run = async (distributed: boolean) => {
      using model = smallGcn(data, { seed: 4, dropout: 0.5 });
      const r = await fit(model, data, { epochs: 5, patience: 0, distributed });
      return { losses: r.history.map((h) => h.trainLoss), w: model.parameters().flatMap((p) => [...p.toArray()]) };
    };
    // Splitting one process's loss into its single share changes the rounding of nothing.
    expect(await run(true)).toEqual(await run(false));
    const sampled = async (distributed: boolean) => {
      using model = new GraphSAGE({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, seed: 2 });
      using loader = neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: [5, 5], batchSize: 40, shuffle: true, seed: 1 });
      const r = await fit(model, data, { epochs: 2, patience: 0, batches: loader, distributed });
      return r.history.map((h) => h.trainLoss);
    };
    const plain = await sampled(false); // builds the data's cached operators first
    const live = liveCpu().tensors;
    expect(await sampled(true)).toEqual(plain);
    // Every batch's features, blocks, step tensors and the gradient exchange's were freed.
    expect(liveCpu().tensors).toBe(live);
  });

  it('refuses partition batches and diagnostics before anything runs', async () => {
    initDistributed();
    using data = smallNodeData();
    using model = smallGcn(data);
    using parts = partitionLoader({ data, numParts: 4, partsPerBatch: 2 });
    await expectFathomRejects(fit(model, data, { distributed: true, batches: parts }), 'TYPE', 'partitionLoader');
    await expect(fit(model, data, { distributed: true, diagnostics: {} })).rejects.toThrow(/diagnostics need one process/);
  });
});

describe('initDistributed under an mpirun environment without a usable MPI', () => {
  const underFakeMpirun = (library: string) => {
    ensureDistBuilt();
    const script = `import(${JSON.stringify(DIST_INDEX)}).then((f) => { try { f.initDistributed(); console.log('no error'); } catch (e) { console.log(e.code + ': ' + e.message); } });`;
    const env = { ...process.env, OMPI_COMM_WORLD_SIZE: '2', OMPI_COMM_WORLD_RANK: '0', FATHOM_MPI_LIBRARY: library };
    return spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' }).stdout;
  };

  it('fails with DISTRIBUTED naming the library that does not open', () => {
    expect(underFakeMpirun('/nonexistent/libmpi.so.40')).toMatch(/^DISTRIBUTED: initDistributed: .*world size 2.*cannot open \/nonexistent\/libmpi\.so\.40/);
  });

  it("fails with DISTRIBUTED naming the missing symbol when the library is not Open MPI's", () => {
    expect(underFakeMpirun('libm.so.6')).toMatch(/^DISTRIBUTED: .*libm\.so\.6 lacks MPI_Init_thread/);
  });
});
