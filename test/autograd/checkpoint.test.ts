import { afterAll, describe, expect, it } from 'vitest';

import { backward } from '../../lib/autograd/backward.js';
import { checkpoint } from '../../lib/autograd/checkpoint.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { axpby } from '../../lib/functional/arithmetic.js';
import { dropout } from '../../lib/functional/dropout.js';
import { matmul } from '../../lib/functional/matmul.js';
import { relu } from '../../lib/functional/relu.js';
import { memory } from '../../lib/runtime/devices.js';
import { Tensor } from '../../lib/tensor/Tensor.js';

const rng = new Rng(11);
const N = 40;
const H = 6;
const randn = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
const w0 = randn(H * H);
const x0 = randn(N * H);
const seed0 = randn(N * H);
const weight = Tensor.from(w0, [H, H]);
weight.requiresGrad = true;
afterAll(() => weight.dispose());

// Two layers z ← z + dropout(relu(z)) Wᵀ: a parameter, a random op and an identity path.
function segment(z: Tensor): Tensor {
  let h = z;
  for (let l = 0; l < 2; l++) h = axpby(1, h, 1, matmul(dropout(relu(h), 0.3, { seed: 100 + l }), weight, { transB: true }));
  return h;
}

// Loss gradients for x and the weight, through `run` applied twice in a row.
function gradients(run: (z: Tensor) => Tensor): { x: number[]; w: number[] } {
  return tidy(() => {
    const x = Tensor.from(x0, [N, H]);
    x.requiresGrad = true;
    backward(run(run(x)), Tensor.from(seed0, [N, H]));
    const out = { x: Array.from(x.grad!.toArray()), w: Array.from(weight.grad!.toArray()) };
    weight.grad!.dispose();
    weight.grad = null;
    return out;
  });
}

describe('checkpoint', () => {
  it('gives the gradients of the plain graph, for the inputs and the parameters inside', () => {
    const plain = gradients(segment);
    const ckpt = gradients((z) => checkpoint(segment, [z]));
    // Same ops on the same values in the same order: equal up to the order of the two additions
    // into each input gradient, so to float64 rounding.
    for (const k of ['x', 'w'] as const) {
      expect(ckpt[k].length).toBe(plain[k].length);
      ckpt[k].forEach((v, i) => expect(v).toBeCloseTo(plain[k][i], 12));
    }
  });

  it('gives the gradients of a segment whose last op reads its own output in backward (relu)', () => {
    const plain = gradients((z) => relu(segment(z)));
    const ckpt = gradients((z) => checkpoint((h) => relu(segment(h)), [z]));
    for (const k of ['x', 'w'] as const) ckpt[k].forEach((v, i) => expect(v).toBeCloseTo(plain[k][i], 12));
  });

  it('gives the forward values of fn and keeps none of its intermediates', () => {
    tidy(() => {
      const x = Tensor.from(x0, [N, H]);
      x.requiresGrad = true;
      const before = memory().cpu.tensors;
      const out = checkpoint(segment, [x]);
      // Only the output itself survives the forward pass (the plain graph would keep ~10).
      expect(memory().cpu.tensors - before).toBe(1);
      expect(out.gradFn?.name).toBe('checkpoint');
      expect(Array.from(out.toArray())).toEqual(Array.from(noGrad(() => tidy(() => segment(x).toArray()))));
    });
  });

  it('frees the recomputed intermediates once backward has used them', () => {
    tidy(() => {
      const x = Tensor.from(x0, [N, H]);
      x.requiresGrad = true;
      const out = checkpoint(segment, [x]);
      const g = Tensor.from(seed0, [N, H]);
      const before = memory().cpu.tensors;
      backward(out, g);
      // Left: x.grad and the weight's gradient.
      expect(memory().cpu.tensors - before).toBe(2);
      weight.grad!.dispose();
      weight.grad = null;
    });
  });

  it('runs fn as it is when gradients are off or no input needs one', () => {
    tidy(() => {
      const x = Tensor.from(x0, [N, H]);
      expect(checkpoint(segment, [x]).gradFn?.name).not.toBe('checkpoint');
      x.requiresGrad = true;
      expect(noGrad(() => checkpoint(segment, [x])).gradFn).toBeNull();
    });
  });

  it('copies an output that is one of its inputs rather than giving the input a gradFn', () => {
    tidy(() => {
      const x = Tensor.from(x0, [N, H]);
      x.requiresGrad = true;
      const out = checkpoint((z) => z, [x]);
      expect(out).not.toBe(x);
      expect(x.gradFn).toBeNull();
      backward(out, Tensor.from(seed0, [N, H]));
      expect(Array.from(x.grad!.toArray())).toEqual(Array.from(seed0));
    });
  });

  it("leaves an input's own gradient alone and accumulates into it once, also when listed twice", () => {
    tidy(() => {
      const x = Tensor.from(x0, [N, H]);
      x.requiresGrad = true;
      x.grad = Tensor.full([N, H], 1, { dtype: 'f64' });
      const out = checkpoint((a, b) => axpby(2, a, 3, b), [x, x]);
      backward(out, Tensor.from(seed0, [N, H]));
      expect(x.gradFn).toBeNull();
      expect(Array.from(x.grad.toArray())).toEqual(Array.from(seed0, (g) => 1 + (2 * g + 3 * g)));
    });
  });

  it('rejects a missing function, non-tensor inputs and a non-tensor result', () => {
    tidy(() => {
      const x = Tensor.from(x0, [N, H]);
      x.requiresGrad = true;
      expect(() => checkpoint(null as never, [x])).toThrow(TypeError);
      expect(() => checkpoint(segment, [1 as never])).toThrow(/checkpoint: inputs\[0\] must be a Tensor/);
      expect(() => checkpoint(segment, x as never)).toThrow(/checkpoint: argument inputs must be an array/);
      expect(() => checkpoint(() => 3 as never, [x])).toThrow(/checkpoint: fn must return a Tensor, got number/);
    });
  });
});
