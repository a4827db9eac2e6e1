import { Rng } from '../../lib/random/rng.js';

/**
 * A small random directed graph as a flat edge index [sources..., targets...]: no self
 * loops, no duplicates, and some isolated nodes so empty CSR rows are exercised.
 */
export function randomEdgeIndex(numNodes: number, numEdges: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const seen = new Set<number>();
  const src: number[] = [];
  const dst: number[] = [];
  const active = Math.max(2, numNodes - 2);
  for (let tries = 0; src.length < numEdges && tries < numEdges * 50; tries++) {
    const s = rng.nextInt(active);
    const d = rng.nextInt(active);
    if (s === d || seen.has(s * numNodes + d)) continue;
    seen.add(s * numNodes + d);
    src.push(s);
    dst.push(d);
  }
  return Int32Array.from([...src, ...dst]);
}

/** The dense [N, N] matrix of an operator of docs/methods.md §1, in float64, built directly from the definition. */
export function denseOperator(edgeIndex: Int32Array, n: number, kind: 'gcn' | 'mean' | 'sum' | 'gin'): Float64Array {
  const e = edgeIndex.length / 2;
  const a = new Float64Array(n * n);
  for (let k = 0; k < e; k++) a[edgeIndex[e + k] * n + edgeIndex[k]] += 1; // row = target
  if (kind === 'sum') return a;
  if (kind === 'mean') {
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < n; j++) d += a[i * n + j];
      for (let j = 0; j < n; j++) a[i * n + j] = d > 0 ? a[i * n + j] / d : 0;
    }
    return a;
  }
  for (let i = 0; i < n; i++) if (a[i * n + i] === 0) a[i * n + i] = 1;
  if (kind === 'gin') return a;
  const deg = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) deg[i] += a[i * n + j];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] /= Math.sqrt(deg[i] * deg[j]);
  return a;
}

/** C = A B for dense row-major float64 matrices. */
export function denseMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}
