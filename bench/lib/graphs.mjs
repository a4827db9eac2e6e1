// The graphs of the comparison, exported once to .npy files that both sides read, so Fathom and
// the PyTorch reference train on identical arrays: the edge list, features, labels, masks and
// Fathom's own gcn operator in CSR by target (rowptr, col, values D̃^-1/2 (A+I) D̃^-1/2). The
// 'gin' operator A + I that GAT attends over has the same pattern with unit values.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { readNpy, writeNpy } from './npy.mjs';

/** @typedef {typeof import('../../dist/esm/index.js')} Fathom */
/** @typedef {import('../../dist/esm/index.js').datasets.GraphData} GraphData */
/**
 * A bundled dataset by name, or a generated R-MAT graph. Quadrant probabilities a, b, c default to
 * Graph500's (0.57, 0.19, 0.19); a = b = c = 0.25 draws every edge's ends uniformly (a uniform
 * random graph with the same generator, sizes and splits).
 * @typedef {{ nodes: number; edges: number; features: number; classes: number; seed: number; a?: number; b?: number; c?: number }} RmatSpec
 * @typedef {{ dataset: string; rmat?: undefined } | { rmat: RmatSpec; dataset?: undefined }} GraphSpec
 */

export const CACHE = process.env.FATHOM_BENCH_CACHE ?? join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '.cache', 'graphs');

/**
 * The generated graphs of the GPU comparison at a size: R-MAT (Graph500 quadrants) or uniform
 * (a = b = c = 0.25), 64 features, 16 classes, seed 1. compare-cuda.bench.mjs and
 * gpu/profile-kernels.mjs name the same graphs, so the second finds the first's export.
 * @param {'rmat' | 'uniform'} kind
 * @param {number} nodes
 * @param {number} edges
 * @returns {GraphSpec}
 */
export function generatedSpec(kind, nodes, edges) {
  const rmat = { nodes, edges, features: 64, classes: 16, seed: 1 };
  return { rmat: kind === 'uniform' ? { ...rmat, a: 0.25, b: 0.25, c: 0.25 } : rmat };
}

/**
 * A stable folder name for a graph spec: {dataset} or {rmat: {nodes, edges, features, classes, seed}}.
 * @param {GraphSpec} spec
 */
export function graphKey(spec) {
  if (spec.rmat === undefined) return spec.dataset;
  const r = spec.rmat;
  const quadrants = r.a === undefined ? '' : `-q${r.a}-${r.b}-${r.c}`;
  return `rmat-n${r.nodes}-e${r.edges}-f${r.features}-c${r.classes}-s${r.seed}${quadrants}`;
}

/**
 * @param {Fathom} F
 * @param {GraphSpec} spec
 * @returns {GraphData}
 */
function generate(F, spec) {
  if (spec.rmat === undefined) return F.datasets.loadDataset(spec.dataset, { normalizeFeatures: true });
  const r = spec.rmat;
  return F.datasets.rmatGraph({ numNodes: r.nodes, numEdges: r.edges, numFeatures: r.features, numClasses: r.classes, seed: r.seed, a: r.a, b: r.b, c: r.c });
}

/**
 * Exports the graph of `spec` under CACHE (once; reused while the folder exists); returns the folder.
 * @param {Fathom} F
 * @param {GraphSpec} spec
 */
export function prepareGraph(F, spec) {
  const dir = join(CACHE, graphKey(spec));
  if (existsSync(join(dir, 'meta.json'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const d = generate(F, spec);
  if (d.x === null) throw new RangeError(`prepareGraph: ${graphKey(spec)} has no features to export`);
  const n = d.numNodes;
  writeNpy(join(tmp, 'edge_index.npy'), d.edgeIndex, [2, d.numEdges]);
  writeNpy(join(tmp, 'x.npy'), d.x, [n, d.numFeatures]);
  writeNpy(join(tmp, 'y.npy'), d.y, [n]);
  writeNpy(join(tmp, 'train_mask.npy'), d.trainMask, [n]);
  writeNpy(join(tmp, 'val_mask.npy'), d.valMask, [n]);
  writeNpy(join(tmp, 'test_mask.npy'), d.testMask, [n]);
  const g = F.Graph.fromEdgeIndex(d.edgeIndex, { numNodes: n });
  try {
    const arrays = g.operator('gcn').forward('prepareGraph').arrays();
    if (!arrays.values) throw new Error('prepareGraph: the gcn operator has no values');
    /** @param {ConstructorParameters<Fathom['Tensor']>[0]} h */
    const take = (h) => {
      const t = new F.Tensor(h);
      try {
        return t.toArray();
      } finally {
        t.dispose();
      }
    };
    const rowptr = take(arrays.rowptr);
    const col = take(arrays.col);
    const values = take(arrays.values);
    take(arrays.perm);
    writeNpy(join(tmp, 'gcn_rowptr.npy'), rowptr, [n + 1]);
    writeNpy(join(tmp, 'gcn_col.npy'), col, [col.length]);
    writeNpy(join(tmp, 'gcn_val.npy'), values, [values.length]);
  } finally {
    g.dispose();
  }
  const meta = { name: d.name ?? graphKey(spec), spec, numNodes: n, numEdges: d.numEdges, numFeatures: d.numFeatures, numClasses: d.numClasses };
  writeFileSync(join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}

/**
 * Loads an exported graph as GraphData (the shape loadDataset returns).
 * @param {string} dir
 * @returns {GraphData}
 */
export function loadGraph(dir) {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  /** @param {string} name */
  const a = (name) => readNpy(join(dir, `${name}.npy`)).array;
  return {
    name: meta.name,
    numNodes: meta.numNodes,
    numEdges: meta.numEdges,
    numFeatures: meta.numFeatures,
    numClasses: meta.numClasses,
    edgeIndex: /** @type {Int32Array} */ (a('edge_index')),
    x: /** @type {Float32Array} */ (a('x')),
    y: /** @type {Int32Array} */ (a('y')),
    trainMask: /** @type {Uint8Array} */ (a('train_mask')),
    valMask: /** @type {Uint8Array} */ (a('val_mask')),
    testMask: /** @type {Uint8Array} */ (a('test_mask')),
  };
}
