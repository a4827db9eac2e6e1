// rocAuc against a hand-counted fixture and a brute-force count over every positive–negative
// pair (ties one half), its errors, and fit()'s 'roc-auc' metric picking the best epoch.
import { describe, expect, it } from 'vitest';

import { evaluate, fit, FathomError, rocAuc } from '../../lib/index.js';
import { expectFathom, expectFathomRejects, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

/** The definition: over all (positive, negative) pairs in the mask, 1 if the positive scores higher, ½ on a tie. */
function pairCount(scores: ArrayLike<number>, labels: ArrayLike<number>, mask: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || labels[i] !== 1) continue;
    for (let j = 0; j < mask.length; j++) {
      if (!mask[j] || labels[j] !== 0) continue;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** A seeded LCG in [0, 1): fresh inputs, the same every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('rocAuc', () => {
  it('matches a hand-counted fixture with ties and masked-out rows', () => {
    // In the mask: positives scored 0.8, 0.5, 0.5; negatives 0.5, 0.2. Pairs (6):
    // 0.8 beats both (2), each 0.5 ties 0.5 (½) and beats 0.2 (1): 2 + 1.5 + 1.5 = 5 of 6.
    // Row 5 (a positive at 0.1) is masked out; with it the count would be 5/8.
    const scores = new Float32Array([0.8, 0.5, 0.5, 0.5, 0.2, 0.1]);
    const labels = new Int32Array([1, 1, 1, 0, 0, 1]);
    expect(rocAuc(scores, labels, new Uint8Array([1, 1, 1, 1, 1, 0]))).toBeCloseTo(5 / 6, 12);
    expect(rocAuc(scores, labels, new Uint8Array([1, 1, 1, 1, 1, 1]))).toBeCloseTo(5 / 8, 12);
  });

  it('is 1 for perfectly ranked scores, 0 for reversed ones and ½ when every score ties', () => {
    const labels = new Int32Array([0, 0, 1, 1]);
    const mask = new Uint8Array([1, 1, 1, 1]);
    expect(rocAuc(new Float64Array([1, 2, 3, 4]), labels, mask)).toBe(1);
    expect(rocAuc(new Float64Array([4, 3, 2, 1]), labels, mask)).toBe(0);
    expect(rocAuc(new Float64Array([7, 7, 7, 7]), labels, mask)).toBe(0.5);
  });

  it('equals the brute-force pair count on random scores with many ties', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = lcg(seed);
      const n = 300;
      // Scores on a grid of 12 values: runs of ties that mix both classes.
      const scores = Float64Array.from({ length: n }, () => Math.floor(rand() * 12) / 4 - 1);
      const labels = Int32Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
      const mask = Uint8Array.from({ length: n }, () => (rand() < 0.7 ? 1 : 0));
      expect(rocAuc(scores, labels, mask)).toBeCloseTo(pairCount(scores, labels, mask), 12);
    }
  });

  it('refuses a non-binary label, a one-class mask and mismatched lengths', () => {
    const mask = new Uint8Array([1, 1, 1]);
    expectFathom(() => rocAuc(new Float32Array(3), new Int32Array([0, 2, 1]), mask), 'RANGE', 'binary', 'labels[1] is 2');
    expectFathom(() => rocAuc(new Float32Array(3), new Int32Array([1, 1, 0]), new Uint8Array([1, 1, 0])), 'RANGE', '2 positive and 0 negative');
    expectFathom(() => rocAuc(new Float32Array(2), new Int32Array(3), mask), 'SHAPE', 'lengths 2, 3, 3');
    expectFathom(() => rocAuc(new Float32Array([0, Number.NaN, 1]), new Int32Array([0, 1, 1]), mask), 'RANGE', 'scores[1] is NaN');
  });
});

describe("fit with metric 'roc-auc'", () => {
  it('reports every split’s ROC-AUC and picks the best epoch by validation ROC-AUC', async () => {
    using data = smallNodeData({ numClasses: 2, homophily: 0.7 });
    using model = smallGcn(data, { seed: 1 });
    const r = await fit(model, data, { epochs: 15, patience: 0, restoreBest: false, metric: 'roc-auc' });
    let best = -1;
    let bestEpoch = 0;
    for (const h of r.history) {
      for (const v of [h.trainAuc, h.valAuc, h.testAuc]) expect(v! >= 0 && v! <= 1).toBe(true);
      if (h.valAuc! > best) [best, bestEpoch] = [h.valAuc!, h.epoch];
      expect(h.bestEpoch).toBe(bestEpoch);
      expect(h.bestValAuc).toBe(best);
    }
    expect(r.bestEpoch).toBe(bestEpoch);
    expect(r.best.testAuc).toBe(r.history[bestEpoch - 1]!.testAuc);
    // The last epoch's reported ROC-AUC is that of the model's own scores (restoreBest off).
    const m = evaluate(model, data, null, 'roc-auc');
    expect(m.testAuc).toBeCloseTo(r.last.testAuc!, 12);
    expect(r.best.valAuc).toBeGreaterThan(0.8);
  });

  it('leaves the ROC-AUCs out with the default accuracy metric', async () => {
    using data = smallNodeData({ numClasses: 2 });
    using model = smallGcn(data);
    const r = await fit(model, data, { epochs: 2, patience: 0 });
    expect(r.last.valAuc).toBeUndefined();
    expect(r.last.bestValAuc).toBeUndefined();
  });

  it('refuses ROC-AUC on a four-class task and an unknown metric', async () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    await expectFathomRejects(fit(model, data, { epochs: 1, metric: 'roc-auc' }), 'RANGE', "metric 'roc-auc' needs a binary task", 'has 4');
    await expect(fit(model, data, { epochs: 1, metric: 'f1' as never })).rejects.toThrow(/fit: metric must be 'accuracy' or 'roc-auc', got 'f1'/);
    expect(() => evaluate(model, data, null, 'roc-auc')).toThrow(FathomError);
  });
});
