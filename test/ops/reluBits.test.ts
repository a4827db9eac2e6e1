import { describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { tidy } from '../../lib/autograd/scope.js';
import { native } from '../../lib/binding/native.js';
import { Rng } from '../../lib/random/rng.js';
import { dropout } from '../../lib/functional/dropout.js';
import { gcnBranch } from '../../lib/functional/gcnBranch.js';
import { relu } from '../../lib/functional/relu.js';
import { reluBits } from '../../lib/functional/reluBits.js';
import { Graph } from '../../lib/graph/Graph.js';
import { memory, resetPeakMemory } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';
import type { DType } from '../../lib/tensor/dtype.js';
import { expectFathom } from '../helpers/apiFixtures.js';
import { randomEdgeIndex } from '../helpers/randomGraph.js';

// Values with exact zeros and both signs, so a `>= 0` or `!= 0` bug shows.
function values(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : rng.normal()));
}

// Bit i % 8 of byte i / 8 is x[i] > 0, unused high bits zero: the layout the kernel documents.
function referenceMask(x: ArrayLike<number>): number[] {
  const bytes = new Array<number>(Math.ceil(x.length / 8)).fill(0);
  for (let i = 0; i < x.length; i++) if (x[i] > 0) bytes[i >> 3] |= 1 << (i & 7);
  return bytes;
}

const SIZES = [1, 7, 8, 9, 31, 32, 33, 100, 4099];

describe('reluBits', () => {
  it.each<DType>(['f32', 'f64'])('matches max(x, 0) and its gradient, with the mask packed 8 per byte (%s)', (dtype) => {
    for (const n of SIZES) {
      tidy(() => {
        const xv = values(n, n);
        const gv = values(n, n + 1000);
        const x = Tensor.from(xv, [n], { dtype });
        x.requiresGrad = true;
        const [outHandle, maskHandle] = native().reluMask(x.handle());
        const out = new Tensor(outHandle);
        const mask = new Tensor(maskHandle);
        expect(mask.dtype).toBe('u8');
        expect(Array.from(mask.toArray())).toEqual(referenceMask(xv));
        const round = dtype === 'f32' ? Math.fround : (v: number) => v;
        expect(Array.from(out.toArray())).toEqual(Array.from(xv, (v) => round(Math.max(v, 0))));

        const y = reluBits(x);
        y.releaseData(); // the backward must not need the output's values
        backward(y, Tensor.from(gv, [n], { dtype }));
        expect(Array.from(x.grad!.toArray())).toEqual(Array.from(xv, (v, i) => (v > 0 ? round(gv[i]) : 0)));
      });
    }
  });

  it('rejects a mask of the wrong size or dtype, naming the op and the shapes', () => {
    tidy(() => {
      const g = Tensor.from(new Float32Array(20), [4, 5]);
      const bad = Tensor.from(new Uint8Array(2), [2]);
      expectFathom(() => native().reluBackwardMask(g.handle(), bad.handle()), 'SHAPE', /reluBackwardMask: argument mask u8\[2\] must be u8\[3\].*f32\[4, 5\]/);
      const i32 = Tensor.from(new Int32Array(3), [3]);
      expectFathom(() => native().reluBackwardMask(g.handle(), i32.handle()), 'TYPE', 'argument mask', 'must be u8');
      expectFathom(() => reluBits(i32), 'TYPE', 'reluBits', 'argument x', 'i32[3]');
    });
  });

  it('lets a ReLU → dropout branch keep bits instead of its ReLU output, with the same gradients', () => {
    const N = 2000;
    const H = 32;
    const graph = Graph.fromEdgeIndex(randomEdgeIndex(N, 8000, 5), { numNodes: N });
    try {
      const op = graph.operator('gcn', { dtype: 'f64' });
      const z0 = values(N * H, 7);
      const w0 = values(H * H, 8).map((v) => v / H);
      const g0 = values(N * H, 9);
      // The old path, relu → dropout with the f64 ReLU output kept, against gcnBranch's.
      const run = (bits: boolean) =>
        tidy(() => {
          const w = Tensor.from(w0, [H, H]);
          w.requiresGrad = true;
          const z = Tensor.from(z0, [N, H]);
          z.requiresGrad = true;
          const seed = Tensor.from(g0, [N, H]);
          const base = memory().cpu.bytes;
          resetPeakMemory();
          const out = bits
            ? gcnBranch(z, w, op, { dropout: { p: 0.5, seed: 3, training: true } })
            : gcnBranch(dropout(relu(z), 0.5, { seed: 3 }), w, op, { relu: false });
          const held = memory().cpu.bytes - base;
          backward(out, seed);
          return { held, z: Array.from(z.grad!.toArray()), w: Array.from(w.grad!.toArray()) };
        });
      const kept = run(false);
      const lean = run(true);
      expect(lean.z).toEqual(kept.z);
      expect(lean.w).toEqual(kept.w);
      // An f64 [N, H] ReLU output (8 bytes an element) became 1 bit an element.
      expect(kept.held - lean.held).toBe(N * H * 8 - (N * H) / 8);
    } finally {
      graph.dispose();
    }
  });
});
