// What a rank of a partitioned-features job holds: the peak resident size of every rank when it
// reads only its own rows of a .npy feature matrix (partitionFeatures with featuresFile), against
// ranks that read the whole matrix (replicated) and ranks that read it whole then keep their rows
// (partitionFeatures(data)). The matrix (N × F float32, generated once in chunks) and a sparse
// ring-plus-random graph are the same for every mode; each mode is one mpirun job.
//   mpirun -np 4 node bench/feature-memory.bench.mjs --mode file [--nodes 200000] [--features 256] [--dir /tmp/fathom-featmem]
//   modes: file (own rows from the file), split (whole matrix, then partitionFeatures(data)), replicated (whole matrix)
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as F from '../dist/esm/index.js';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'file' },
    nodes: { type: 'string', default: '200000' },
    features: { type: 'string', default: '256' },
    dir: { type: 'string', default: '/tmp/fathom-featmem' },
  },
});
const [n, f] = [Number(a.nodes), Number(a.features)];
const world = F.initDistributed();
const file = join(a.dir, `x-${n}x${f}.npy`);
if (world.rank === 0 && !existsSync(file)) writeNpy(file, n, f);
F.barrier();

/** @param {number} b */
const mib = (b) => (b / 2 ** 20).toFixed(1);
const before = process.memoryUsage().rss;
// A sparse graph: a ring and 4 random edges per node (the book needs only its node count here).
const E = 5 * n;
const edges = new Int32Array(2 * E);
for (let v = 0; v < n; v++) [edges[v], edges[E + v]] = [v, (v + 1) % n];
const rng = new F.datasets.Rng(1);
for (let e = n; e < E; e++) [edges[e], edges[E + e]] = [Math.floor(rng.nextFloat() * n), Math.floor(rng.nextFloat() * n)];
const graph = F.Graph.fromEdgeIndex(edges, { numNodes: n });
let held;
if (a.mode === 'file') {
  const store = await F.partitionFeatures(graph, { method: 'contiguous', featuresFile: file });
  held = store.nbytes;
  store.dispose();
} else {
  const { rows } = F.datasets.readNpyRows(
    file,
    Int32Array.from({ length: n }, (_, i) => i),
  );
  if (a.mode === 'split') {
    const data = F.NodeData.from(
      {
        name: 'x',
        numNodes: n,
        numEdges: E,
        numFeatures: f,
        numClasses: 2,
        edgeIndex: edges,
        x: /** @type {Float32Array} */ (rows),
        y: new Int32Array(n),
        trainMask: new Uint8Array(n),
        valMask: new Uint8Array(n),
        testMask: new Uint8Array(n),
      },
      { sparseFeatures: false },
    );
    const store = await F.partitionFeatures(data, { method: 'contiguous' });
    held = store.nbytes;
    store.dispose();
    data.dispose();
  } else held = rows.byteLength;
}
const line = `${a.mode} np ${world.worldSize} rank ${world.rank}: holds ${mib(held)} MiB of ${mib(n * f * 4)} MiB; RSS before ${mib(before)} MiB, peak ${mib(process.resourceUsage().maxRSS * 1024)} MiB`;
graph.dispose();
// Rank by rank, in order.
for (let r = 0; r < world.worldSize; r++) {
  if (r === world.rank) console.log(line);
  F.barrier();
}

/**
 * N × F float32 values as numpy.save writes them, in chunks of 1024 rows.
 * @param {string} path @param {number} rows @param {number} cols
 */
function writeNpy(path, rows, cols) {
  mkdirSync(a.dir, { recursive: true });
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += `${' '.repeat(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - header.length - 1)}\n`;
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.concat([pre, Buffer.from(header, 'latin1')]));
  const chunk = new Float32Array(1024 * cols);
  for (let r0 = 0; r0 < rows; r0 += 1024) {
    const k = Math.min(1024, rows - r0);
    for (let i = 0; i < k * cols; i++) chunk[i] = Math.sin((r0 * cols + i) * 0.001);
    writeSync(fd, new Uint8Array(chunk.buffer, 0, k * cols * 4));
  }
  closeSync(fd);
}
