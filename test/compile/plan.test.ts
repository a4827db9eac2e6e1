// The native plan and the tracer on their own: a hand-written plan computes what the same eager
// calls compute, bad specs and stale inputs are refused with errors naming the problem, and a
// trace records exactly the calls, inputs and draws of its body.
import { describe, expect, it } from 'vitest';

import { native } from '../../lib/binding/native.js';
import { ArgKind, type PlanSpec } from '../../lib/binding/planBinding.js';
import { planFromTraces } from '../../lib/compile/planFromTraces.js';
import { traceStep } from '../../lib/compile/trace.js';
import { Rng } from '../../lib/random/rng.js';
import { Tensor } from '../../lib/tensor/Tensor.js';

function randomTensor(rng: Rng, shape: number[]): Tensor {
  return Tensor.from(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

// y = relu(x·w) * 2, then addInPlace(acc, y): slots 0..2, externals x, w, acc.
function spec(x: Tensor, w: Tensor, acc: Tensor): PlanSpec {
  return {
    externals: [x.handle(), w.handle(), acc.handle()],
    csrs: [],
    numSlots: 3,
    numDynamic: 1,
    outputs: [2],
    steps: [
      {
        op: 'matmul',
        args: [
          [ArgKind.External, 0],
          [ArgKind.External, 1],
          [ArgKind.Flag, false],
          [ArgKind.Flag, false],
        ],
        outs: [0],
      },
      { op: 'relu', args: [[ArgKind.Slot, 0]], outs: [1] },
      {
        op: 'scale',
        args: [
          [ArgKind.Slot, 1],
          [ArgKind.Dynamic, 0],
        ],
        outs: [2],
      },
      {
        op: 'addInPlace',
        args: [
          [ArgKind.External, 2],
          [ArgKind.Slot, 2],
          [ArgKind.Number, 1],
        ],
        outs: [],
      },
    ],
  };
}

describe('a native plan', () => {
  it('computes what the same eager calls compute, bit for bit, with its per-step scalar', () => {
    const rng = new Rng(11);
    using x = randomTensor(rng, [5, 4]);
    using w = randomTensor(rng, [4, 3]);
    using acc = Tensor.zeros([5, 3]);
    using eagerAcc = Tensor.zeros([5, 3]);
    const plan = new (native().PlanHandle)(spec(x, w, acc));
    try {
      expect(plan.numSteps).toBe(4);
      for (const factor of [2, -0.5]) {
        const [out] = plan.run(Float64Array.of(factor)).map((h) => new Tensor(h));
        using y = new Tensor(native().scale(native().relu(native().matmul(x.handle(), w.handle(), false, false)), factor));
        native().addInPlace(eagerAcc.handle(), y.handle(), 1);
        expect(Array.from(out!.toArray())).toEqual(Array.from(y.toArray()));
        out!.dispose();
      }
      expect(Array.from(acc.toArray())).toEqual(Array.from(eagerAcc.toArray()));
    } finally {
      plan.dispose();
      plan.dispose();
    }
  });

  it('refuses a spec whose step reads a slot before any step writes it, or names an unknown op', () => {
    using x = Tensor.zeros([2, 2]);
    const base = spec(x, x, x);
    const early = { ...base, steps: [base.steps[1]!, base.steps[0]!] };
    expect(() => new (native().PlanHandle)(early)).toThrow(/step 0 \(relu\) reads slot 0 before any step writes it/);
    const unknown = { ...base, steps: [{ op: 'launchMissiles', args: [], outs: [] }] };
    expect(() => new (native().PlanHandle)(unknown)).toThrow(/'launchMissiles' is not an op of the table/);
    const outOfRange = { ...base, steps: [{ ...base.steps[0]!, args: [[ArgKind.External, 7] as [number, number]] }] };
    expect(() => new (native().PlanHandle)(outOfRange)).toThrow(/names input 7 of 3/);
  });

  it('refuses a run with the wrong number of scalars, and a run whose input was disposed', () => {
    const x = Tensor.zeros([2, 2]);
    using w = Tensor.zeros([2, 2]);
    using acc = Tensor.zeros([2, 2]);
    const plan = new (native().PlanHandle)(spec(x, w, acc));
    try {
      expect(() => plan.run(new Float64Array(3))).toThrow(
        expect.objectContaining({ code: 'RANGE', message: expect.stringMatching(/3 scalars given, the plan takes 1/) }),
      );
      expect(plan.stale).toBe(false);
      x.dispose();
      expect(plan.stale).toBe(true);
      // Refused before any step runs: a plan never stops halfway with weights half updated.
      expect(() => plan.run(Float64Array.of(1))).toThrow(
        expect.objectContaining({ code: 'TYPE', message: expect.stringMatching(/input 0 \(a tensor\) of the compiled step was disposed/) }),
      );
    } finally {
      plan.dispose();
    }
    expect(() => plan.run(Float64Array.of(1))).toThrow(/the plan was disposed/);
  });
});

describe('a trace', () => {
  it('records the calls, the tensors read, the slots made and the random draws of its body', () => {
    using x = Tensor.full([3, 2], 1);
    const rng = new Rng(5);
    const { trace, outputs } = traceStep(() => {
      const seed = rng.nextUint32();
      const [y, mask] = native().dropout(x.handle(), 0.5, seed);
      mask.dispose();
      const out = native().relu(y);
      y.dispose();
      return [out];
    });
    try {
      expect(trace.unsupported).toBeNull();
      expect(trace.calls.map((c) => c.op)).toEqual(['dropout', 'relu']);
      expect(trace.externals).toEqual([x.handle()]);
      expect(trace.calls[0]!.args[2]).toEqual([ArgKind.Number, trace.draws.get(rng)![0]]);
      expect(trace.outputs).toEqual([2]);
    } finally {
      for (const h of outputs) h.dispose();
    }
  });

  it('cannot be replayed when its body reads values on the host or keeps a tensor it made', () => {
    using x = Tensor.full([2], 1);
    const read = traceStep(() => {
      const y = native().relu(x.handle());
      y.toArray();
      return [y];
    });
    expect(read.trace.unsupported).toMatch(/reads tensor values on the host/);
    for (const h of read.outputs) h.dispose();
    let kept: { dispose(): void } | null = null;
    const carried = traceStep(() => {
      kept = native().relu(x.handle());
      return [];
    });
    expect(carried.trace.unsupported).toMatch(/1 tensor\(s\) made in the step outlive it/);
    kept!.dispose();
  });

  it('pairs of traces become a plan only when every changing number comes from a stream', () => {
    using x = Tensor.full([4], 1);
    const rng = new Rng(9);
    let counter = 0;
    const step = (fromStream: boolean) =>
      traceStep(() => {
        const seed = fromStream ? rng.nextUint32() : ++counter;
        const [y, mask] = native().dropout(x.handle(), 0.5, seed);
        mask.dispose();
        return [y];
      });
    const runs = [step(true), step(true), step(false), step(false)];
    for (const r of runs) for (const h of r.outputs) h.dispose();
    const good = planFromTraces(runs[0]!.trace, runs[1]!.trace, [], [[], []]);
    expect('spec' in good && good.spec.numDynamic).toBe(1);
    const bad = planFromTraces(runs[2]!.trace, runs[3]!.trace, [], [[], []]);
    expect('mismatch' in bad && bad.mismatch).toMatch(/argument 2 of op 0 \(dropout\) changes from step to step \(1 → 2\)/);
  });
});
