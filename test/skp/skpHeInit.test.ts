import { describe, expect, it } from 'vitest';

import { SKP } from '../../lib/models/SKP.js';
import { SKPConv } from '../../lib/nn/SKPConv.js';

const variance = (w: ArrayLike<number>) => Array.from(w).reduce((a, v) => a + v * v, 0) / w.length;

describe('SKP gnn-he initialization', () => {
  it('draws every term weight with variance 2/(K·inChannels), the He variance of the concatenated fan-in', () => {
    // K·256·256 draws per layer: the sample variance has relative standard error √(2/(K·65536)) < 0.6%; 3% is > 5σ.
    for (const K of [1, 2, 3]) {
      const terms = (['gcn', 'identity', 'mean'] as const).slice(0, K);
      using conv = new SKPConv(256, 256, { terms, init: 'gnn-he', seed: 11 });
      const all = conv.weights.flatMap((w) => Array.from(w.toArray()));
      expect(Math.abs(variance(all) * ((K * 256) / 2) - 1)).toBeLessThan(0.03);
    }
  });

  it('gives the two terms of a layer independent draws, not copies', () => {
    using conv = new SKPConv(32, 32, { terms: ['gcn', 'identity'], init: 'gnn-he', seed: 3 });
    const [a, b] = conv.weights.map((w) => w.toArray());
    let dot = 0;
    for (let i = 0; i < a!.length; i++) dot += a![i]! * b![i]!;
    // For independent N(0, s²) draws, dot/(n·s²) ~ N(0, 1/n): |·| < 0.2 is > 5σ at n = 1024.
    expect(Math.abs(dot / (a!.length * variance(a!)))).toBeLessThan(0.2);
  });

  it('applies to the SKP model and its KP baseline through the init option', () => {
    using skp = new SKP({ inChannels: 20, hiddenChannels: 64, outChannels: 3, numLayers: 2, init: 'gnn-he', seed: 0 });
    using kp = new SKP({ inChannels: 20, hiddenChannels: 64, outChannels: 3, numLayers: 2, kp: true, kpWidth: 128, init: 'gnn-he', seed: 0 });
    const v = (m: SKP) => variance(m.layers.flatMap((c) => c.weights.flatMap((w) => Array.from(w.toArray()))));
    // 2·2·64² = 16384 and 2·128² = 32768 draws: relative standard error ≤ 1.1%; 6% is > 5σ.
    expect(Math.abs(v(skp) * 64 - 1)).toBeLessThan(0.06); // 2/(2·64)
    expect(Math.abs(v(kp) * 64 - 1)).toBeLessThan(0.06); // 2/(1·128)
  });

  it('rejects an unknown initializer, naming it', () => {
    expect(() => new SKPConv(4, 4, { init: 'he' as never })).toThrow(/SKPConv: init must be one of glorot, orthogonal, gnn-he, got "he"/);
  });
});
