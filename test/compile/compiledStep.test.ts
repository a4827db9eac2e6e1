// CompiledStep's keys and plans on their own: a new key traces anew, a key seen before finds its
// plan again without running the body, and a plan whose input was disposed is dropped and traced
// anew instead of failing. The body is y = relu(x·w)·s with s a number that depends on the key,
// so each key's plan computes something else; plain TypeScript gives the expected values.
import { describe, expect, it } from 'vitest';

import { CompiledStep } from '../../lib/compile/CompiledStep.js';
import { matmul } from '../../lib/functional/matmul.js';
import { relu } from '../../lib/functional/relu.js';
import { scale } from '../../lib/functional/arithmetic.js';
import { noGrad } from '../../lib/autograd/gradMode.js';
import { tidy } from '../../lib/autograd/scope.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';

const N = 3;

// relu(x·w)·s in float64: the values each replay must give to f32 rounding.
function reference(x: Float32Array, w: Float32Array, s: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < N; k++) acc += x[i * N + k]! * w[k * N + j]!;
      out.push(Math.max(0, acc) * s);
    }
  return out;
}

function expectClose(got: number[], want: number[]): void {
  expect(got.length).toBe(want.length);
  // Three f32 products summed, then scaled: a few ulps of the largest value.
  const tol = 1e-6 * Math.max(1, ...want.map(Math.abs));
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(tol));
}

describe('a compiled step', () => {
  it('traces a new key anew, replays a key seen before at once, and retraces when an input was disposed', () => {
    const rng = new Rng(5);
    const xs = rng.fillNormal(new Float32Array(N * N));
    const ws = rng.fillNormal(new Float32Array(N * N));
    using x = Tensor.from(xs, [N, N]);
    let w = Tensor.from(ws, [N, N]);
    let key = 'a';
    const factor = { a: 2, b: 3 } as const;
    let bodies = 0;
    using step = new CompiledStep({ key: () => key });
    const run = () =>
      noGrad(() => {
        const [y] = step.run(() => {
          bodies++;
          // tidy frees the intermediates, as fit's steps do: a tensor kept past the step is state a plan cannot replay.
          return tidy(() => [scale(relu(matmul(x, w)), factor[key as 'a' | 'b'])]);
        });
        const values = [...(y!.toArray() as Float32Array)];
        y!.dispose();
        return values;
      });

    // Key a: eager, two traces, then replays.
    for (let k = 0; k < 5; k++) expectClose(run(), reference(xs, ws, 2));
    expect(step.fallbackReason).toBeNull();
    expect(step.compiled).toBe(true);
    expect(bodies).toBe(3);
    // Key b: its own plan, made the same way.
    key = 'b';
    for (let k = 0; k < 5; k++) expectClose(run(), reference(xs, ws, 3));
    expect(bodies).toBe(6);
    // Back to a: its plan was kept, so the body does not run again.
    key = 'a';
    expectClose(run(), reference(xs, ws, 2));
    expect(bodies).toBe(6);
    expect(step.compiled).toBe(true);
    // The weight is replaced: the plan reading the old one is dropped, the step starts over.
    const ws2 = rng.fillNormal(new Float32Array(N * N));
    w.dispose();
    w = Tensor.from(ws2, [N, N]);
    for (let k = 0; k < 5; k++) expectClose(run(), reference(xs, ws2, 2));
    expect(bodies).toBe(9);
    expect(step.compiled).toBe(true);
    w.dispose();
  });
});
