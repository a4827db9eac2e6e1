import { describe, expect, it } from 'vitest';
import { rmatGraph, sbmGraph, type SyntheticGraph } from '../../lib/data/index.js';

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Structural invariants every generated graph must satisfy; returns the out-degrees. */
function checkStructure(g: SyntheticGraph, n: number, e: number, f: number): Int32Array {
  expect([g.numNodes, g.numEdges, g.numFeatures]).toEqual([n, e, f]);
  expect(g.edgeIndex.length).toBe(2 * e);
  expect(g.x.length).toBe(n * f);
  for (const m of [g.y, g.trainMask, g.valMask, g.testMask]) expect(m.length).toBe(n);
  const deg = new Int32Array(n);
  let outside = 0;
  let selfLoops = 0;
  let unsorted = 0;
  for (let i = 0; i < e; i++) {
    const s = g.edgeIndex[i]!;
    const t = g.edgeIndex[e + i]!;
    if (s < 0 || s >= n || t < 0 || t >= n) outside++;
    else deg[s]!++;
    if (s === t) selfLoops++;
    if (i > 0) {
      const ps = g.edgeIndex[i - 1]!;
      if (s < ps || (s === ps && t < g.edgeIndex[e + i - 1]!)) unsorted++;
    }
  }
  let badLabels = 0;
  for (const v of g.y) if (v < 0 || v >= g.numClasses) badLabels++;
  let maskSum = 0;
  let overlap = 0;
  for (let i = 0; i < n; i++) {
    const k = g.trainMask[i]! + g.valMask[i]! + g.testMask[i]!;
    maskSum += k;
    if (k !== 1) overlap++;
  }
  expect({ outside, selfLoops, unsorted, badLabels, overlap, maskSum }).toEqual({
    outside: 0,
    selfLoops: 0,
    unsorted: 0,
    badLabels: 0,
    overlap: 0,
    maskSum: n,
  });
  return deg;
}

/** Whether every directed edge (s, t) is matched by a (t, s), counting multiplicity. */
function isSymmetric(g: SyntheticGraph): boolean {
  const e = g.numEdges;
  const fwd = new Float64Array(e);
  const rev = new Float64Array(e);
  for (let i = 0; i < e; i++) {
    fwd[i] = g.edgeIndex[i]! * g.numNodes + g.edgeIndex[e + i]!;
    rev[i] = g.edgeIndex[e + i]! * g.numNodes + g.edgeIndex[i]!;
  }
  return sameBytes(fwd.sort(), rev.sort());
}

describe('rmatGraph', () => {
  it('has the requested sizes, valid sorted edges and no self-loops', () => {
    const g = rmatGraph({ numNodes: 5000, numEdges: 40000, numFeatures: 8, numClasses: 3, seed: 1 });
    checkStructure(g, 5000, 40000, 8);
    expect(g.meta.generator).toBe('rmat');
    expect(g.meta.symmetric).toBe(false);
  });

  it('is deterministic for a seed and changes with it', () => {
    const opts = { numNodes: 3000, numEdges: 20000, numFeatures: 4, seed: 11 };
    const a = rmatGraph(opts);
    const b = rmatGraph(opts);
    const c = rmatGraph({ ...opts, seed: 12 });
    for (const key of ['edgeIndex', 'x', 'y', 'trainMask'] as const) expect(sameBytes(a[key], b[key])).toBe(true);
    expect(sameBytes(a.edgeIndex, c.edgeIndex)).toBe(false);
  });

  it('has a skewed, power-law-like degree distribution', () => {
    const g = rmatGraph({ numNodes: 1 << 14, numEdges: 1 << 18, seed: 3 });
    const deg = checkStructure(g, 1 << 14, 1 << 18, 16);
    const mean = g.numEdges / g.numNodes;
    const max = deg.reduce((a, b) => Math.max(a, b), 0);
    expect(max).toBeGreaterThan(20 * mean);
    const zero = deg.filter((d) => d === 0).length;
    expect(zero).toBeGreaterThan(g.numNodes / 10);
  });

  it('stores both directions of every edge when symmetric', () => {
    const g = rmatGraph({ numNodes: 2000, numEdges: 10000, seed: 5, symmetric: true });
    checkStructure(g, 2000, 10000, 16);
    expect(isSymmetric(g)).toBe(true);
  });

  it('handles a node count that is not a power of two and the smallest graph', () => {
    checkStructure(rmatGraph({ numNodes: 1025, numEdges: 5000, seed: 2 }), 1025, 5000, 16);
    const tiny = rmatGraph({ numNodes: 2, numEdges: 6, numClasses: 2, numFeatures: 1, seed: 2 });
    checkStructure(tiny, 2, 6, 1);
  });

  it('rejects invalid options with a RangeError naming the option', () => {
    expect(() => rmatGraph({ numNodes: 1, numEdges: 1 })).toThrow(/numNodes must be an integer in \[2, /);
    expect(() => rmatGraph({ numNodes: 10, numEdges: 3, symmetric: true })).toThrow(/must be even when symmetric/);
    expect(() => rmatGraph({ numNodes: 10, numEdges: 3, a: 0.9, b: 0.1, c: 0.1 })).toThrow(/a \+ b \+ c must be at most 1/);
    expect(() => rmatGraph({ numNodes: 10, numEdges: 3, b: 0, c: 0 })).toThrow(/self-loop/);
    expect(() => rmatGraph({ numNodes: 10, numEdges: 3, trainFraction: 0.9, valFraction: 0.2 })).toThrow(RangeError);
  });

  it('generates 1M nodes and 10M edges within seconds', () => {
    const start = performance.now();
    const g = rmatGraph({ numNodes: 1_000_000, numEdges: 10_000_000, numFeatures: 4, seed: 9 });
    const ms = performance.now() - start;
    expect(g.edgeIndex.length).toBe(20_000_000);
    // Generous bound: a few seconds on a quiet machine, more on a loaded CI box.
    expect(ms).toBeLessThan(30_000);
  });
});

describe('sbmGraph', () => {
  it('has the requested sizes, balanced labels and symmetric edges by default', () => {
    const g = sbmGraph({ numNodes: 4001, numEdges: 40000, numFeatures: 12, numClasses: 4, seed: 1 });
    checkStructure(g, 4001, 40000, 12);
    expect(g.meta.symmetric).toBe(true);
    expect(isSymmetric(g)).toBe(true);
    const counts = [0, 0, 0, 0];
    for (const v of g.y) counts[v]!++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('is deterministic for a seed', () => {
    const opts = { numNodes: 2000, numEdges: 10000, numFeatures: 4, seed: 4 };
    const a = sbmGraph(opts);
    const b = sbmGraph(opts);
    for (const key of ['edgeIndex', 'x', 'y', 'valMask'] as const) expect(sameBytes(a[key], b[key])).toBe(true);
    expect(sameBytes(a.y, sbmGraph({ ...opts, seed: 5 }).y)).toBe(false);
  });

  it('puts the requested fraction of edges inside blocks', () => {
    for (const homophily of [0.2, 0.8, 1]) {
      const g = sbmGraph({ numNodes: 3000, numEdges: 60000, numClasses: 5, homophily, seed: 2 });
      let same = 0;
      for (let i = 0; i < g.numEdges; i++) if (g.y[g.edgeIndex[i]!] === g.y[g.edgeIndex[g.numEdges + i]!]) same++;
      expect(Math.abs(same / g.numEdges - homophily)).toBeLessThan(0.015);
    }
  });

  it('gives features that predict the label, better still after averaging over neighbours', () => {
    const g = sbmGraph({ numNodes: 6000, numEdges: 60000, numFeatures: 16, numClasses: 4, seed: 8 });
    const { numNodes: n, numFeatures: f, numClasses: k } = g;
    const agg = Float64Array.from(g.x);
    const deg = new Float64Array(n).fill(1);
    for (let i = 0; i < g.numEdges; i++) {
      const s = g.edgeIndex[i]!;
      const t = g.edgeIndex[g.numEdges + i]!;
      deg[t]!++;
      for (let j = 0; j < f; j++) agg[t * f + j]! += g.x[s * f + j]!;
    }
    for (let i = 0; i < n * f; i++) agg[i]! /= deg[Math.floor(i / f)]!;
    // Nearest class mean, means estimated on the training nodes.
    const accuracy = (x: ArrayLike<number>): number => {
      const mu = new Float64Array(k * f);
      const cnt = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        if (!g.trainMask[i]) continue;
        cnt[g.y[i]!]!++;
        for (let j = 0; j < f; j++) mu[g.y[i]! * f + j]! += x[i * f + j]!;
      }
      for (let i = 0; i < k * f; i++) mu[i]! /= cnt[Math.floor(i / f)]!;
      let ok = 0;
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (!g.testMask[i]) continue;
        let best = -1;
        let bestDist = Infinity;
        for (let c = 0; c < k; c++) {
          let d = 0;
          for (let j = 0; j < f; j++) d += (x[i * f + j]! - mu[c * f + j]!) ** 2;
          if (d < bestDist) [best, bestDist] = [c, d];
        }
        if (best === g.y[i]) ok++;
        total++;
      }
      return ok / total;
    };
    const featuresOnly = accuracy(g.x);
    const withGraph = accuracy(agg);
    expect(featuresOnly).toBeGreaterThan(0.4);
    expect(withGraph).toBeGreaterThan(featuresOnly + 0.15);
  });

  it('can be generated directed', () => {
    const g = sbmGraph({ numNodes: 1000, numEdges: 5001, seed: 3, symmetric: false });
    checkStructure(g, 1000, 5001, 16);
    expect(isSymmetric(g)).toBe(false);
  });

  it('rejects blocks too small to avoid self-loops', () => {
    expect(() => sbmGraph({ numNodes: 7, numEdges: 10, numClasses: 4 })).toThrow('sbmGraph: need at least 2 nodes per block: numNodes 7 < 2 * numClasses 4');
    expect(() => sbmGraph({ numNodes: 100, numEdges: 10, homophily: 1.5 })).toThrow(/homophily must be in \[0, 1\]/);
  });

  it('generates 1M nodes and 10M edges within seconds', () => {
    const start = performance.now();
    const g = sbmGraph({ numNodes: 1_000_000, numEdges: 10_000_000, numFeatures: 4, numClasses: 10, seed: 9 });
    expect(g.edgeIndex.length).toBe(20_000_000);
    expect(performance.now() - start).toBeLessThan(30_000);
  });
});
