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
  const t0 = performance.now();
  const r = await f.fit(model, data, {
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
    epochsRun: r.epochsRun,
    resumedFrom: r.resumedFrom,
    weights: model.parameters().flatMap((p) => [...p.toArray()]),
  });
}
`;
