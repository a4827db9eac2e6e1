// Plain-TS float64 references for the diagnostics tests, written from docs/methods.md §4 directly.
import { Rng } from '../../lib/random/rng.js';

/** N×n values ~ U(−1, 1) from `seed`, with `zeroRows` rows set to 0 (no direction). */
export function randomMatrix(rows: number, cols: number, seed: number, zeroRows: readonly number[] = []): Float64Array {
  const rng = new Rng(seed);
  const x = Float64Array.from({ length: rows * cols }, () => 2 * rng.nextFloat() - 1);
  for (const r of zeroRows) x.fill(0, r * cols, (r + 1) * cols);
  return x;
}

export function columnMeans(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const m = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m[c] += x[r * cols + c];
  return m.map((v) => v / rows);
}

export function centeredGram(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const m = columnMeans(x, rows, cols);
  const g = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += (x[r * cols + a] - m[a]) * (x[r * cols + b] - m[b]);
      g[a * cols + b] = s;
    }
  }
  return g;
}

/** Scale, μ, μ/‖X‖ and mean cosine (pairs of nonzero rows, i ≠ j) by their definitions. */
export function referenceStats(x: ArrayLike<number>, rows: number, cols: number) {
  const m = columnMeans(x, rows, cols);
  let sq = 0;
  let mu2 = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      sq += x[r * cols + c] ** 2;
      mu2 += (x[r * cols + c] - m[c]) ** 2;
    }
  }
  const norms = Array.from({ length: rows }, (_, r) => Math.hypot(...Array.from({ length: cols }, (_, c) => x[r * cols + c])));
  let cos = 0;
  let pairs = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      if (i === j || norms[i] === 0 || norms[j] === 0) continue;
      let d = 0;
      for (let c = 0; c < cols; c++) d += x[i * cols + c] * x[j * cols + c];
      cos += d / (norms[i] * norms[j]);
      pairs++;
    }
  }
  return { scale: sq / (rows * cols), mu: Math.sqrt(mu2), muNormalized: Math.sqrt(mu2 / sq), meanCosine: cos / pairs, norm: Math.sqrt(sq) };
}

/** Mean over channel pairs of |Pearson correlation|, channels with zero variance left out. */
export function referenceOverCorrelation(x: ArrayLike<number>, rows: number, cols: number): number {
  const m = columnMeans(x, rows, cols);
  const col = (c: number) => Array.from({ length: rows }, (_, r) => x[r * cols + c] - m[c]);
  const varying = Array.from({ length: cols }, (_, c) => c).filter((c) => col(c).some((v) => v !== 0));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < varying.length; i++) {
    for (let j = i + 1; j < varying.length; j++) {
      const a = col(varying[i]);
      const b = col(varying[j]);
      const dot = a.reduce((s, v, k) => s + v * b[k], 0);
      sum += Math.abs(dot / Math.sqrt(a.reduce((s, v) => s + v * v, 0) * b.reduce((s, v) => s + v * v, 0)));
      pairs++;
    }
  }
  return sum / pairs;
}

/** tr(Xᵀ(I − P)X) with P the dense gcn operator. */
export function referenceDirichlet(x: ArrayLike<number>, p: Float64Array, rows: number, cols: number): number {
  let e = 0;
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      let px = 0;
      for (let j = 0; j < rows; j++) px += p[i * rows + j] * x[j * cols + c];
      e += x[i * cols + c] * (x[i * cols + c] - px);
    }
  }
  return e;
}

/** An undirected random graph (both directions of every edge), no self loops. */
export function undirectedEdges(n: number, edges: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const src: number[] = [];
  const dst: number[] = [];
  while (seen.size < edges) {
    const a = rng.nextInt(n);
    const b = rng.nextInt(n);
    if (a === b || seen.has(`${Math.min(a, b)},${Math.max(a, b)}`)) continue;
    seen.add(`${Math.min(a, b)},${Math.max(a, b)}`);
    src.push(a, b);
    dst.push(b, a);
  }
  return Int32Array.from([...src, ...dst]);
}
