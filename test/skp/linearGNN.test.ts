import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { linearRate } from '../../lib/diagnostics/linearRate.js';
import { mseLoss } from '../../lib/functional/mseLoss.js';
import { Graph } from '../../lib/graph/Graph.js';
import { LinearGNN } from '../../lib/models/LinearGNN.js';
import { SGD } from '../../lib/optim/SGD.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import { gradcheck, randomInput } from '../helpers/gradcheck.js';
import { denseMatmul, denseOperator } from '../helpers/randomGraph.js';
import { paramGradcheck } from './paramGradcheck.js';

const TOL = 1e-6; // docs/methods.md §5 (see edgeOps.test.ts for the margin)
// A symmetric graph (the source's linear GNN assumes S = Sᵀ): a ring of 10 with two chords.
const N = 10;
const pairs: [number, number][] = [...Array.from({ length: N }, (_, i) => [i, (i + 1) % N] as [number, number]), [0, 4], [2, 7]];
const edges = Int32Array.from([...pairs.flat(), ...pairs.flatMap(([a, b]) => [b, a])]);
const graph = Graph.fromEdgeIndex(edges, { numNodes: N });
afterAll(() => graph.dispose());
const [F, Hd, C] = [3, 4, 2];

/** Plain TS reference: Σ_l S^l X B_1ᵀ⋯B_lᵀ W_lᵀ (skip) or S^H X B_1ᵀ⋯B_Hᵀ Wᵀ. */
function reference(model: LinearGNN, x: Float64Array, s: Float64Array): Float64Array {
  // m is r×c; returns mᵀ (c×r).
  const t = (m: ArrayLike<number>, r: number, c: number) => new Float64Array(r * c).map((_, i) => m[(i % r) * c + Math.floor(i / r)]);
  let u = x;
  let width = F;
  const out = new Float64Array(N * C);
  const addReadout = (w: ArrayLike<number>) => {
    const y = denseMatmul(u, t(w, C, width), N, width, C);
    for (let i = 0; i < out.length; i++) out[i] += y[i];
  };
  if (model.skip) addReadout(model.w[0].toArray());
  for (let l = 1; l <= model.depth; l++) {
    u = denseMatmul(s, denseMatmul(u, t(model.b[l - 1].toArray(), Hd, width), N, width, Hd), N, N, Hd);
    width = Hd;
    if (model.skip) addReadout(model.w[l].toArray());
  }
  if (!model.skip) addReadout(model.w[0].toArray());
  return out;
}

describe('LinearGNN', () => {
  const rng = new Rng(31);
  it.each([
    ['gcn', false],
    ['gcn', true],
    ['gin', false],
    ['gin', true],
  ] as const)('with S = %s and skip = %s matches a dense plain-TS forward', (op, skip) => {
    using model = new LinearGNN({ inChannels: F, hiddenChannels: Hd, outChannels: C, numLayers: 3, operator: op, skip, dtype: 'f64', seed: 1 });
    const x = randomInput(rng, [N, F]).values;
    const got = noGrad(() => tidy(() => model.forward(Tensor.from(x, [N, F]), graph).toArray()));
    const want = reference(model, x, denseOperator(edges, N, op));
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 12);
  });

  it.each([false, true])('has parameter gradients that match finite differences (skip = %s)', (skip) => {
    using model = new LinearGNN({ inChannels: F, hiddenChannels: Hd, outChannels: C, numLayers: 2, skip, dtype: 'f64', seed: 2 });
    using x = Tensor.from(randomInput(rng, [N, F]).values, [N, F]);
    for (const e of paramGradcheck(() => model.forward(x, graph), model.parameters())) expect(e).toBeLessThan(TOL);
  });

  it('mseLoss has a gradient that matches finite differences, with and without a mask', () => {
    using mask = Tensor.from(Uint8Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 1 : 0)));
    const target = randomInput(rng, [N, C]);
    for (const m of [mask, null]) {
      for (const reduction of ['mean', 'sum'] as const) {
        const [e] = gradcheck(([p]) => mseLoss(p, Tensor.from(target.values, [N, C]), m, { reduction }), [randomInput(rng, [N, C])]);
        expect(e).toBeLessThan(TOL);
      }
    }
  });

  it('mseLoss equals the plain sum of squared errors over masked rows', () => {
    const p = randomInput(rng, [N, C]).values;
    const y = randomInput(rng, [N, C]).values;
    const m = Uint8Array.from({ length: N }, (_, i) => (i < 4 ? 1 : 0));
    let want = 0;
    for (let i = 0; i < 4 * C; i++) want += (p[i] - y[i]) ** 2;
    const [sum, mean] = tidy(() => [
      mseLoss(Tensor.from(p, [N, C]), Tensor.from(y, [N, C]), Tensor.from(m), { reduction: 'sum' }).item(),
      mseLoss(Tensor.from(p, [N, C]), Tensor.from(y, [N, C]), Tensor.from(m)).item(),
    ]);
    expect(sum).toBeCloseTo(want, 13);
    expect(mean).toBeCloseTo(want / 4, 13);
  });

  it('rejects a negative depth and an unknown operator', () => {
    expect(() => new LinearGNN({ inChannels: 2, hiddenChannels: 2, outChannels: 2, numLayers: -1 })).toThrow(/LinearGNN: numLayers/);
    expect(() => new LinearGNN({ inChannels: 2, hiddenChannels: 2, outChannels: 2, operator: 'sum' as 'gcn' })).toThrow(/LinearGNN: operator/);
  });
});

describe('linearRate', () => {
  it('for H = 0 gives λ = 1, σ² = λ_min(XᵀX) over training rows and L* = the least-squares residual', () => {
    // Two features, so XᵀX is 2×2 and everything has a closed form.
    const xv = Float64Array.from({ length: N * 2 }, (_, i) => Math.cos(0.9 * i) + (i % 2));
    const yv = Float64Array.from({ length: N }, (_, i) => Math.sin(i));
    const train = Uint8Array.from({ length: N }, (_, i) => (i < 6 ? 1 : 0));
    using model = new LinearGNN({ inChannels: 2, hiddenChannels: 2, outChannels: 1, numLayers: 0, dtype: 'f64' });
    using x = Tensor.from(xv, [N, 2]);
    const r = linearRate(model, x, graph, train, yv);
    let [a, b, c, p, q] = [0, 0, 0, 0, 0];
    for (let i = 0; i < 6; i++) {
      const [u, v] = [xv[2 * i], xv[2 * i + 1]];
      a += u * u;
      b += u * v;
      c += v * v;
      p += u * yv[i];
      q += v * yv[i];
    }
    const lmin = (a + c) / 2 - Math.sqrt(((a - c) / 2) ** 2 + b * b);
    const det = a * c - b * b;
    const [w0, w1] = [(c * p - b * q) / det, (a * q - b * p) / det];
    let res = 0;
    for (let i = 0; i < 6; i++) res += (yv[i] - w0 * xv[2 * i] - w1 * xv[2 * i + 1]) ** 2;
    expect(r.rank).toBe(2);
    expect(r.lambda).toBeCloseTo(1, 12);
    expect(r.sigma2).toBeCloseTo(lmin, 10);
    expect(r.kappa).toBeCloseTo(4 * lmin, 10);
    expect(r.lossStar).toBeCloseTo(res, 10);
    expect(r.bound(10, 0.1, 0)).toBeCloseTo(10, 12);
  });
});

describe('docs/methods.md §5 linear-GNN bound', () => {
  it.each([false, true])('training loss with a small gradient step never exceeds L* + (L₀ − L*)·exp(−κηt) (skip = %s)', (skip) => {
    const rng = new Rng(5);
    const xv = randomInput(rng, [N, F]).values;
    const train = Uint8Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const labels = Array.from({ length: N }, (_, i) => (i * 7) % C);
    const yv = new Float64Array(N * C).map((_, k) => (labels[Math.floor(k / C)] === k % C ? 1 : 0));
    using model = new LinearGNN({ inChannels: F, hiddenChannels: Hd, outChannels: C, numLayers: 2, skip, dtype: 'f64', seed: 3 });
    using x = Tensor.from(xv, [N, F]);
    using y = Tensor.from(yv, [N, C]);
    using mask = Tensor.from(train);
    // η small against 1/‖∇²L‖ (σ_max(G)² ≈ 1 here), long enough that κηT ≈ 4: the bound falls well below L₀.
    const eta = 0.02;
    const T = 1500;
    using opt = new SGD(model.parameters(), { lr: eta });
    const losses: number[] = [];
    const kappas: number[] = [];
    let rate = linearRate(model, x, graph, train, yv);
    expect(rate.kappa).toBeGreaterThan(0); // hidden ≥ rank(G): the bound is not vacuous
    const lossStar = rate.lossStar;
    for (let t = 0; t <= T; t++) {
      rate = linearRate(model, x, graph, train, yv);
      kappas.push(rate.kappa);
      const l = tidy(() => {
        opt.zeroGrad();
        const loss = mseLoss(model.forward(x, graph), y, mask, { reduction: 'sum' });
        backward(loss);
        return loss.item();
      });
      losses.push(l);
      opt.step();
    }
    // κ_T of the source: the smallest κ along the trajectory so far (the weights move).
    let kmin = Infinity;
    let worst = -Infinity;
    let bound = losses[0];
    losses.forEach((l, t) => {
      kmin = Math.min(kmin, kappas[t]);
      bound = lossStar + (losses[0] - lossStar) * Math.exp(-kmin * eta * t);
      worst = Math.max(worst, l - bound);
    });
    expect(worst).toBeLessThanOrEqual(1e-12 * losses[0]);
    // The check has teeth: the bound falls below L₀. With skip, κ stays near its initial value and
    // the bound closes > 99% of the gap to L*; the plain model's λ shrinks as the B's move, so its
    // κ_T — and its bound — stay loose (about 5% of the gap closed at T = 1500 with this seed).
    expect((bound - lossStar) / (losses[0] - lossStar)).toBeLessThan(skip ? 0.01 : 0.97);
    expect(losses[T]).toBeLessThan(0.5 * losses[0]);
  });
});
