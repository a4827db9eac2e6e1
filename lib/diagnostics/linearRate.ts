import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import { propagate } from '../functional/propagate.js';
import { Graph } from '../graph/Graph.js';
import { LinearGNN } from '../models/LinearGNN.js';
import { Tensor } from '../tensor/Tensor.js';
import { requireArrayLike, requireInstance } from '../errors/args.js';
import { symmetricEigen } from './rank.js';

/** The linear-rate constant of docs/methods.md §4 (source 4) and the bound it gives. */
export interface LinearRate {
  /** Smallest nonzero singular value of G, squared. */
  sigma2: number;
  /** Smallest eigenvalue of the weight product's Gram restricted to the row space of G. */
  lambda: number;
  /** κ = 4λσ². */
  kappa: number;
  /** rank(G) (singular values above 1e-6·σ_max, as the rank diagnostic). */
  rank: number;
  /** L* = min over all linear readouts of Σ_train ‖f − y‖² (the residual of Y off col(G)); NaN without targets. */
  lossStar: number;
  /** L* + (L_0 − L*)·exp(−κ·η·t). */
  bound(loss0: number, eta: number, t: number): number;
}

/**
 * κ for a {@link LinearGNN} at its current weights. Rows are nodes (Fathom's layout), so the
 * source's G = X S^H becomes G = (S^H X) restricted to the training rows, n×F (skip: the
 * blocks S^l X side by side, l = 0..H), and the weight product acting on G's rows is
 * M = B_H ⋯ B_1 (skip: blockdiag(I, B_1, B_2B_1, …)). With loss L = Σ_train ‖f − y‖² (mseLoss
 * with reduction 'sum') the gradient with respect to the readout alone gives
 * dL/dt ≤ −4λσ²(L − L*) under gradient flow, hence the bound. λ is for the current weights;
 * along a run use the smallest λ seen (the source's λ_T). Dense f64 on the host: meant for
 * small problems or few training nodes (Gram of size min(n, d)).
 *
 * @example
 * const rate = linearRate(model, data.x, data.graph, data.masks.train, oneHotTargets);
 * const boundAt100 = rate.bound(loss0, 0.01, 100);
 */
export function linearRate(model: LinearGNN, x: Tensor, graph: Graph, trainMask: ArrayLike<number>, targets?: ArrayLike<number>): LinearRate {
  requireInstance('linearRate', 'model', model, LinearGNN, 'a LinearGNN');
  requireInstance('linearRate', 'x', x, Tensor, 'a Tensor');
  requireInstance('linearRate', 'graph', graph, Graph, 'a Graph');
  requireArrayLike('linearRate', 'trainMask', trainMask);
  const n0 = x.shape[0];
  const F = x.shape[1];
  if (trainMask.length !== n0) throw new RangeError(`linearRate: trainMask has ${trainMask.length} entries for x ${x.describe()}`);
  const rows: number[] = [];
  for (let i = 0; i < n0; i++) if (trainMask[i]) rows.push(i);
  const n = rows.length;
  const H = model.depth;
  const levels = model.skip ? Array.from({ length: H + 1 }, (_, l) => l) : [H];
  // S^l X at the training rows, in f64.
  const blocks = noGrad(() =>
    tidy(() => {
      const op = graph.operator(model.operator, { dtype: 'f64', device: x.device });
      let u = x.cast('f64');
      const out: Float64Array[] = [];
      for (let l = 0; l <= H; l++) {
        if (l > 0) u = propagate(op, u);
        if (!levels.includes(l)) continue;
        const all = u.toArray();
        const blk = new Float64Array(n * F);
        rows.forEach((r, i) => blk.set(all.subarray(r * F, (r + 1) * F), i * F));
        out.push(blk);
      }
      return out;
    }),
  );
  const d = F * levels.length;
  const g = new Float64Array(n * d);
  blocks.forEach((blk, b) => {
    for (let i = 0; i < n; i++) g.set(blk.subarray(i * F, (i + 1) * F), i * d + b * F);
  });
  // Products M_l = B_l ⋯ B_1 (hidden×F), M_0 = I.
  const products: (Float64Array | null)[] = [null];
  let prod: Float64Array | null = null;
  const h = model.options.hiddenChannels;
  for (let l = 1; l <= H; l++) {
    const b = Float64Array.from(model.b[l - 1].toArray());
    prod = prod ? matmulDense(b, prod, h, h, F) : b;
    products.push(prod);
  }
  const blockProducts = levels.map((l) => products[l]);
  return rateFrom(g, n, d, F, h, blockProducts, targets ? selectRows(targets, rows, targets.length / n0) : null);
}

function selectRows(y: ArrayLike<number>, rows: number[], c: number): { y: Float64Array; c: number } {
  const out = new Float64Array(rows.length * c);
  rows.forEach((r, i) => {
    for (let k = 0; k < c; k++) out[i * c + k] = y[r * c + k];
  });
  return { y: out, c };
}

function matmulDense(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip !== 0) for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  return c;
}

function rateFrom(
  g: Float64Array,
  n: number,
  d: number,
  F: number,
  h: number,
  products: (Float64Array | null)[],
  targets: { y: Float64Array; c: number } | null,
): LinearRate {
  // Orthonormal bases of col(G) ⊂ R^n (U) and row(G) ⊂ R^d (Q) from the smaller Gram.
  const small = Math.min(n, d);
  const gram = new Float64Array(small * small);
  for (let i = 0; i < small; i++)
    for (let j = i; j < small; j++) {
      let s = 0;
      if (n <= d) for (let k = 0; k < d; k++) s += g[i * d + k] * g[j * d + k];
      else for (let k = 0; k < n; k++) s += g[k * d + i] * g[k * d + j];
      gram[i * small + j] = gram[j * small + i] = s;
    }
  const { values, vectors } = symmetricEigen(gram, small);
  const top = Math.max(values[0] ?? 0, 0);
  let r = 0;
  while (r < small && values[r] > 1e-12 * top && values[r] > 0) r++;
  const sigma2 = r > 0 ? values[r - 1] : 0;
  const u = new Float64Array(n * r);
  const q = new Float64Array(d * r);
  for (let j = 0; j < r; j++) {
    const s = Math.sqrt(values[j]);
    if (n <= d) {
      for (let i = 0; i < n; i++) u[i * r + j] = vectors[i * small + j];
      for (let k = 0; k < d; k++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += g[i * d + k] * vectors[i * small + j];
        q[k * r + j] = acc / s;
      }
    } else {
      for (let k = 0; k < d; k++) q[k * r + j] = vectors[k * small + j];
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let k = 0; k < d; k++) acc += g[i * d + k] * vectors[k * small + j];
        u[i * r + j] = acc / s;
      }
    }
  }
  // M Q with M = blockdiag(products): block b maps the F columns of level b.
  const mRows = products.reduce((a, p) => a + (p ? h : F), 0);
  const mq = new Float64Array(mRows * r);
  let row0 = 0;
  products.forEach((p, b) => {
    const qb = q.subarray(b * F * r, (b + 1) * F * r);
    const part = p ? matmulDense(p, qb, h, F, r) : qb;
    mq.set(part, row0 * r);
    row0 += p ? h : F;
  });
  const mgram = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = i; j < r; j++) {
      let s = 0;
      for (let k = 0; k < mRows; k++) s += mq[k * r + i] * mq[k * r + j];
      mgram[i * r + j] = mgram[j * r + i] = s;
    }
  const lambda = r > 0 ? Math.max(symmetricEigen(mgram, r).values[r - 1], 0) : 0;
  let lossStar = Number.NaN;
  if (targets) {
    const { y, c } = targets;
    lossStar = 0;
    for (let k = 0; k < c; k++) {
      const coef = new Float64Array(r);
      for (let j = 0; j < r; j++) for (let i = 0; i < n; i++) coef[j] += u[i * r + j] * y[i * c + k];
      for (let i = 0; i < n; i++) {
        let proj = 0;
        for (let j = 0; j < r; j++) proj += u[i * r + j] * coef[j];
        lossStar += (y[i * c + k] - proj) ** 2;
      }
    }
  }
  const kappa = 4 * lambda * sigma2;
  return {
    sigma2,
    lambda,
    kappa,
    rank: r,
    lossStar,
    bound: (loss0, eta, t) => lossStar + (loss0 - lossStar) * Math.exp(-kappa * eta * t),
  };
}
