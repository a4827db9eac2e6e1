// Edge cut of partition batches: the fraction of a graph's undirected edges whose ends fall in
// different parts (the edges a batch of one part drops), METIS's k-way partition against random
// parts of the same count, on bundled datasets. Deterministic (seeded), not a timing: the seconds
// METIS takes are reported beside it. Needs libmetis (apt-get install libmetis5).
//   node bench/partition-cut.bench.mjs [--datasets cora,citeseer,pubmed] [--parts 10,100] [--seeds 0,1,2] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as F from '../dist/esm/index.js';
import { machine } from './timing.mjs';

const { values: a } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'cora,citeseer,pubmed' },
    parts: { type: 'string', default: '10,100' },
    seeds: { type: 'string', default: '0,1,2' },
    out: { type: 'string' },
  },
});
const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const out = resolve(a.out ?? resolve(here, 'results', 'partition-cut.json'));
const metis = F.metisStatus();
if (!metis.available) throw new Error(`partition-cut.bench: METIS is not available (${metis.reason})`);

/** Undirected simple edges of a flat edge index (self loops and repeats dropped), as pairs a < b. @param {Int32Array} flat */
function undirected(flat) {
  const E = flat.length / 2;
  const seen = new Set();
  const pairs = [];
  for (let e = 0; e < E; e++) {
    const s = Math.min(flat[e], flat[E + e]);
    const t = Math.max(flat[e], flat[E + e]);
    if (s === t || seen.has(s * 4294967296 + t)) continue;
    seen.add(s * 4294967296 + t);
    pairs.push(s, t);
  }
  return Int32Array.from(pairs);
}

/** @param {Int32Array} pairs @param {Int32Array[]} parts @param {number} numNodes */
function cutFraction(pairs, parts, numNodes) {
  const partOf = new Int32Array(numNodes);
  parts.forEach((p, k) => p.forEach((v) => (partOf[v] = k)));
  let cut = 0;
  for (let i = 0; i < pairs.length; i += 2) if (partOf[pairs[i]] !== partOf[pairs[i + 1]]) cut++;
  return cut / (pairs.length / 2);
}

const rows = [];
for (const name of a.datasets.split(',')) {
  const ds = F.datasets.loadDataset(name);
  const pairs = undirected(ds.edgeIndex);
  const graph = F.Graph.fromEdgeIndex(ds.edgeIndex, { numNodes: ds.numNodes });
  for (const numParts of a.parts.split(',').map(Number)) {
    /** @type {{ metis: number[], random: number[] }} */
    const cuts = { metis: [], random: [] };
    let seconds = 0;
    let largest = 0;
    for (const seed of a.seeds.split(',').map(Number)) {
      for (const method of /** @type {const} */ (['metis', 'random'])) {
        const loader = F.partitionLoader({ graph, numParts, partsPerBatch: 1, method, seed });
        const t0 = performance.now();
        const parts = loader.parts(1);
        loader.dispose();
        if (method === 'metis') {
          seconds += (performance.now() - t0) / 1000;
          largest = Math.max(largest, ...parts.map((p) => p.length / (ds.numNodes / numParts)));
        }
        cuts[method].push(cutFraction(pairs, parts, ds.numNodes));
      }
    }
    const mean = (/** @type {number[]} */ v) => v.reduce((s, x) => s + x, 0) / v.length;
    const row = {
      dataset: name,
      nodes: ds.numNodes,
      undirected_edges: pairs.length / 2,
      parts: numParts,
      metis_cut: cuts.metis,
      random_cut: cuts.random,
      metis_cut_mean: +mean(cuts.metis).toFixed(4),
      random_cut_mean: +mean(cuts.random).toFixed(4),
      metis_largest_part_over_mean: +largest.toFixed(3),
      metis_seconds_mean: +(seconds / cuts.metis.length).toFixed(3),
    };
    rows.push(row);
    console.log(
      `${name.padEnd(9)} ${String(numParts).padStart(4)} parts: edge cut METIS ${(100 * row.metis_cut_mean).toFixed(1)} % vs random ${(100 * row.random_cut_mean).toFixed(1)} % ` +
        `(largest METIS part ${row.metis_largest_part_over_mean}× the mean, ${row.metis_seconds_mean} s)`,
    );
  }
  graph.dispose();
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ machine: machine(1), metis, rows }, null, 2)}\n`);
console.error(`wrote ${out}`);
