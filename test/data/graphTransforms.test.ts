import { describe, expect, it } from 'vitest';
import { coalesce, inspectGraph, removeSelfLoops, Rng, toUndirected } from '../../lib/data/index.js';

/** `[2, E]` edge index from a list of pairs. */
const ei = (pairs: [number, number][]): Int32Array => Int32Array.from([...pairs.map((p) => p[0]), ...pairs.map((p) => p[1])]);
/** Pairs of a `[2, E]` edge index, in order. */
const pairs = (e: Int32Array): [number, number][] => Array.from({ length: e.length / 2 }, (_, i) => [e[i]!, e[e.length / 2 + i]!]);

// Plain references: sets of "s,d" strings and sorting of pairs, nothing shared with the library.
const key = ([s, d]: [number, number]): string => `${s},${d}`;
const byPair = (a: [number, number], b: [number, number]): number => a[0] - b[0] || a[1] - b[1];
const refCoalesce = (p: [number, number][]): [number, number][] =>
  [...new Set(p.map(key))].map((k) => k.split(',').map(Number) as [number, number]).sort(byPair);

function randomPairs(seed: number, n: number, e: number): [number, number][] {
  const rng = new Rng(seed);
  return Array.from({ length: e }, () => [rng.nextInt(n), rng.nextInt(n)] as [number, number]);
}

describe('inspectGraph', () => {
  it('counts what a hand-made 6-node graph holds', () => {
    // Edges: 0→1, 1→0 (a symmetric pair), 1→2 twice (one duplicate, asymmetric), 3→3 twice (two
    // self loops, one of them a duplicate), 2→4 (asymmetric). Node 5 has no edge and node 3 only
    // self loops: 2 isolated nodes. Asymmetric distinct pairs: (1,2), (2,4) = 2.
    const g = ei([
      [0, 1],
      [1, 0],
      [1, 2],
      [1, 2],
      [3, 3],
      [3, 3],
      [2, 4],
    ]);
    // Features of width 2: rows 1 and 5 are all zero.
    const x = Float32Array.from([1, 0, 0, 0, 0, 2, 3, 3, -1, 0, 0, 0]);
    expect(inspectGraph(g, 6, x, 2)).toEqual({ selfLoops: 2, duplicateEdges: 2, asymmetricPairs: 2, isolatedNodes: 2, zeroFeatureRows: 2 });
  });

  it('finds nothing in a symmetric graph without loops or repeats, and counts null zero rows without features', () => {
    expect(
      inspectGraph(
        ei([
          [0, 1],
          [1, 0],
          [1, 2],
          [2, 1],
        ]),
        3,
        null,
        0,
      ),
    ).toEqual({
      selfLoops: 0,
      duplicateEdges: 0,
      asymmetricPairs: 0,
      isolatedNodes: 0,
      zeroFeatureRows: null,
    });
  });

  it('matches a plain count on random graphs', () => {
    for (const seed of [1, 2, 3]) {
      const n = 50;
      const p = randomPairs(seed, n, 300);
      const distinct = refCoalesce(p);
      const set = new Set(distinct.map(key));
      const touched = new Set(distinct.filter(([s, d]) => s !== d).flat());
      expect(inspectGraph(ei(p), n, null, 0)).toEqual({
        selfLoops: p.filter(([s, d]) => s === d).length,
        duplicateEdges: p.length - distinct.length,
        asymmetricPairs: distinct.filter(([s, d]) => s !== d && !set.has(key([d, s]))).length,
        isolatedNodes: n - touched.size,
        zeroFeatureRows: null,
      });
    }
  });
});

describe('graph transforms', () => {
  it('removeSelfLoops keeps every other edge in order', () => {
    for (const seed of [4, 5]) {
      const p = randomPairs(seed, 20, 200);
      expect(pairs(removeSelfLoops(ei(p)))).toEqual(p.filter(([s, d]) => s !== d));
    }
  });

  it('coalesce sorts by (source, target) and drops repeats', () => {
    for (const seed of [6, 7]) {
      const p = randomPairs(seed, 3000, 5000);
      expect(pairs(coalesce(ei(p), 3000))).toEqual(refCoalesce(p));
    }
    expect(pairs(coalesce(ei([]), 3))).toEqual([]);
  });

  it('toUndirected adds each missing reverse edge once, sorted', () => {
    for (const seed of [8, 9]) {
      const p = randomPairs(seed, 40, 200);
      expect(pairs(toUndirected(ei(p), 40))).toEqual(refCoalesce([...p, ...p.map(([s, d]) => [d, s] as [number, number])]));
    }
    expect(
      pairs(
        toUndirected(
          ei([
            [0, 1],
            [1, 2],
            [2, 1],
          ]),
          3,
        ),
      ),
    ).toEqual([
      [0, 1],
      [1, 0],
      [1, 2],
      [2, 1],
    ]);
  });
});
