// Plain-TypeScript references for GAT attention: the dense α matrix and the dropout decision,
// written from docs/methods.md §2.2 and native/core/counter_rng.h without sharing code with the kernels.

const M64 = (1n << 64n) - 1n;

function mix64(z: bigint): bigint {
  z = (z + 0x9e3779b97f4a7c15n) & M64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** dropout_keep(dropout_rule(seed, p), index) of counter_rng.h. */
export function keepDecision(seed: number, p: number, index: number): boolean {
  if (!(p > 0)) return true;
  const k = mix64(BigInt(seed));
  const key0 = Number(k & 0xffffffffn);
  const key1 = Number(k >> 32n);
  const t = p * 4294967296;
  const threshold = t >= 4294967295 ? 0xffffffff : Math.floor(t) + (Math.floor(t) < t ? 1 : 0);
  const lo = index % 4294967296;
  const hi = Math.floor(index / 4294967296);
  const k1 = (key1 ^ Math.imul(hi, 0x85ebca77)) >>> 0;
  const hash = fmix32((fmix32((Math.imul(lo, 0x9e3779b9) ^ key0) >>> 0) ^ k1) >>> 0);
  return hash >= threshold;
}

export interface RefArgs {
  version: 'v1' | 'v2';
  n: number;
  heads: number;
  /** Edge index [sources..., targets...] without self loops. */
  edgeIndex: Int32Array;
  xs: Float64Array;
  xt: Float64Array;
  aSrc: Float64Array;
  aDst?: Float64Array;
  slope?: number;
  p?: number;
  seed?: number;
}

const lrelu = (z: number, s: number) => (z > 0 ? z : s * z);

/**
 * out [N, H·F] = Σ_j α_ij keep_ij/(1−p) xs_j with α materialized densely per head; also returns
 * α [H][N·N] (row = target). Neighbourhood: in-edges plus one self loop per node.
 */
export function gatReference(a: RefArgs): { out: Float64Array; alpha: Float64Array[] } {
  const { n, heads: H, edgeIndex } = a;
  const width = a.xs.length / n;
  const F = width / H;
  const slope = a.slope ?? 0.2;
  const p = a.p ?? 0;
  const E = edgeIndex.length / 2;
  // neighbours[i] = [source, dropout key] pairs.
  const nb: [number, number][][] = Array.from({ length: n }, (_, i) => [[i, 2 ** 31 + i]]);
  for (let k = 0; k < E; k++) nb[edgeIndex[E + k]].push([edgeIndex[k], k]);
  const out = new Float64Array(n * width);
  const alpha: Float64Array[] = [];
  for (let h = 0; h < H; h++) {
    const al = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const logits = nb[i].map(([j]) => {
        let e = 0;
        if (a.version === 'v1') {
          let s = 0;
          for (let f = 0; f < F; f++) s += a.aSrc[h * F + f] * a.xs[j * width + h * F + f] + a.aDst![h * F + f] * a.xt[i * width + h * F + f];
          e = lrelu(s, slope);
        } else {
          for (let f = 0; f < F; f++) e += a.aSrc[h * F + f] * lrelu(a.xs[j * width + h * F + f] + a.xt[i * width + h * F + f], slope);
        }
        return e;
      });
      const m = Math.max(...logits);
      const w = logits.map((e) => Math.exp(e - m));
      const s = w.reduce((x, y) => x + y, 0);
      nb[i].forEach(([j, key], t) => {
        const alphaIJ = w[t] / s;
        al[i * n + j] += alphaIJ;
        if (!keepDecision(a.seed ?? 0, p, key * H + h)) return;
        for (let f = 0; f < F; f++) out[i * width + h * F + f] += (alphaIJ / (1 - p)) * a.xs[j * width + h * F + f];
      });
    }
    alpha.push(al);
  }
  return { out, alpha };
}
