// The source of the worker script the data-parallel tests run under mpirun (written to a temp
// folder by the test). It imports the compiled package from FATHOM_DIST and reads its job from
// DP_CONFIG; each rank writes what it saw to `${out}.${rank}.json`.
export const WORKER_SOURCE = String.raw`
import { writeFileSync } from 'node:fs';
const f = await import(process.env.FATHOM_DIST);
const { sbmGraph } = await import(process.env.FATHOM_DIST.replace(/index\.js$/, 'data/index.js'));
const cfg = JSON.parse(process.env.DP_CONFIG);
const world = f.initDistributed();
const write = (value) => writeFileSync(cfg.out + '.' + world.rank + '.json', JSON.stringify(value));

if (cfg.mode === 'collectives') {
  const n = 1000;
  const values = (seed, Ctor) => Ctor.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i) * 10 ** ((i % 7) - 3));
  const sum32 = f.allReduce(f.Tensor.from(values(world.rank, Float32Array)), { op: 'sum' });
  const mean64 = f.allReduce(f.Tensor.from(values(world.rank, Float64Array)), { op: 'mean' });
  const root = world.worldSize - 1;
  const b32 = f.broadcast(f.Tensor.from(values(world.rank + 100, Float32Array)), root);
  const bi32 = f.broadcast(f.Tensor.from(Int32Array.from({ length: 10 }, (_, i) => world.rank * 1000 + i)), root);
  f.barrier();
  write({ sum32: [...sum32.toArray()], mean64: [...mean64.toArray()], b32: [...b32.toArray()], bi32: [...bi32.toArray()], size: f.worldSize(), rank: f.rank() });
} else if (cfg.mode === 'gather') {
  // Rows fetched through a partitioned store against a plain lookup in this rank's full copy.
  const g = sbmGraph({ numNodes: 240, numEdges: 2400, numFeatures: 16, numClasses: 4, homophily: 0.85, seed: 3 });
  const data = f.NodeData.from(g);
  const store = await f.partitionFeatures(data, { method: cfg.method, seed: 7 });
  const full = data.x.toArray();
  let s = 11 + world.rank;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648), s);
  // Rank 1 asks for nothing; the others for ids from every rank, repeats included.
  const count = world.rank === 1 ? 0 : 50 + 13 * world.rank;
  const ids = Int32Array.from({ length: count }, () => next() % 240);
  const rows = store.gather(ids);
  const expected = [...ids].flatMap((v) => [...full.subarray(v * 16, (v + 1) * 16)]);
  let bad = null;
  try {
    store.gather(world.rank === 1 ? new Int32Array([3, 240]) : new Int32Array([1]));
  } catch (e) {
    bad = e.code + ': ' + e.message;
  }
  const after = store.gather(new Int32Array([world.rank]));
  // The same book over rows this rank read from the .npy file alone.
  const fileStore = cfg.featuresFile ? await f.partitionFeatures(data.graph, { method: cfg.method, seed: 7, featuresFile: cfg.featuresFile }) : null;
  const everyRow = Int32Array.from({ length: 240 }, (_, i) => (i * 97 + world.rank) % 240);
  const fromFile = fileStore ? { rows: [...fileStore.gather(everyRow).toArray()], full: [...store.gather(everyRow).toArray()], nbytes: fileStore.nbytes } : null;
  write({ gathered: [...rows.toArray()], expected, bad, after: [...after.toArray()], afterExpected: [...full.subarray(world.rank * 16, world.rank * 16 + 16)],
    nbytes: store.nbytes, local: store.localNodes.length, fromFile, ownerOfAll: Array.from({ length: 240 }, (_, v) => store.ownerOf(v)), status: f.mpiStatus() });
} else if (cfg.mode === 'shards') {
  // Stores built from a wrong shard on rank 1, then from books that differ between the ranks.
  const owner = Int32Array.from({ length: 6 }, (_, v) => v % 2);
  const rowsOf = (o) => new Float32Array(o.filter((r) => r === world.rank).length * 2);
  const attempt = (fn) => { try { fn(); return 'ok'; } catch (e) { return e.code + ': ' + e.message; } };
  const short = attempt(() => f.DistributedFeatures.fromLocal({ owner, rows: world.rank === 1 ? new Float32Array(1) : rowsOf(owner), numFeatures: 2 }));
  const other = world.rank === 1 ? Int32Array.from({ length: 6 }, (_, v) => (v < 3 ? 0 : 1)) : owner;
  const differ = attempt(() => f.DistributedFeatures.fromLocal({ owner: other, rows: rowsOf(other), numFeatures: 2 }));
  const fine = attempt(() => f.DistributedFeatures.fromLocal({ owner, rows: rowsOf(owner), numFeatures: 2 }));
  write({ short, differ, fine });
} else if (cfg.mode === 'throw') {
  // A rank failing outside fit() while the others wait in a collective.
  if (world.rank === 1) throw new Error('rank 1 fails outside fit');
  f.barrier();
  write({});
} else {
  const classes = cfg.numClasses ?? 4;
  const g = sbmGraph({ numNodes: 240, numEdges: 2400, numFeatures: 16, numClasses: classes, homophily: 0.85, seed: 3 });
  const data = f.NodeData.from(g);
  // Different initial weights on every rank: fit must start them all from rank 0's.
  const seed = world.rank === 0 ? 1 : 99 + world.rank;
  const model = cfg.model === 'sage'
    ? new f.GraphSAGE({ inChannels: 16, hiddenChannels: 16, outChannels: classes, numLayers: 2, seed, dropout: 0 })
    : new f.ResGCN({ inChannels: 16, hiddenChannels: 16, outChannels: classes, numLayers: 4, seed, dropout: cfg.dropout ?? 0 });
  const loader = cfg.model === 'sage'
    ? f.neighborLoader({ graph: data.graph, nodes: data.masks.train, fanouts: cfg.fanouts, batchSize: cfg.batchSize, shuffle: true, seed: 5 })
    : undefined;
  if (cfg.killRank === world.rank) setTimeout(() => process.kill(process.pid, 'SIGKILL'), cfg.killAfterMs);
  // A store of our own (its bytes and calls counted), or fit's own with 'partitioned'.
  const store = cfg.featureMethod
    ? await f.partitionFeatures(cfg.featuresFile ? data.graph : data, { method: cfg.featureMethod, featuresFile: cfg.featuresFile })
    : null;
  let gathers = 0;
  if (store) {
    const gather = store.gather.bind(store);
    store.gather = (ids) => (gathers++, gather(ids));
  }
  const t0 = performance.now();
  const r = await f.fit(model, data, {
    features: store ?? cfg.features,
    epochs: cfg.epochsOnRank?.[world.rank] ?? cfg.epochs, lr: 0.01, patience: cfg.patience ?? 0, restoreBest: false, batches: loader, distributed: cfg.distributed,
    checkpoint: cfg.checkpoint ? { dir: cfg.checkpoint, every: 1 } : undefined, resume: cfg.resume ?? false,
    metric: cfg.metric,
  });
  write({
    ms: performance.now() - t0,
    losses: r.history.map((h) => h.trainLoss),
    valAcc: r.history.map((h) => h.valAcc),
    valAuc: r.history.map((h) => h.valAuc ?? null),
    bestEpoch: r.bestEpoch,
    metrics: r.history.map((h) => [h.trainAcc, h.valAcc, h.testAcc, h.valLoss]),
    epochsRun: r.epochsRun,
    resumedFrom: r.resumedFrom,
    weights: model.parameters().flatMap((p) => [...p.toArray()]),
    featureBytes: store?.nbytes, localNodes: store?.localNodes.length, gathers,
  });
}
`;
