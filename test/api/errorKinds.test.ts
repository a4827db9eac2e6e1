// One failure, one error kind, whichever op meets it (docs/errors.md): a dtype mismatch is always
// FathomError TYPE, a shape mismatch FathomError SHAPE, a value out of range FathomError RANGE and
// a device mismatch FathomError DEVICE, each message naming the op and the argument. Wrong JS
// types and disposed tensors stay TypeErrors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  FathomError,
  Graph,
  SparseFeatures,
  Tensor,
  add,
  axpby,
  biasAdd,
  devices,
  dropout,
  edgeSoftmax,
  gatAttention,
  logSoftmax,
  matmul,
  mseLoss,
  mul,
  nllLoss,
  pairNorm,
  propagate,
  propagateBiasAct,
  propagateFixed,
  propagateWeighted,
  relu,
  scale,
  spectralNormalize,
  sub,
  sum,
  tidy,
} from '../../lib/index.js';
import type { FathomErrorCode } from '../../lib/index.js';
import { requireSameDevice } from '../../lib/functional/checks.js';
import { liveCpu } from '../helpers/apiFixtures.js';

const CUDA = devices().cuda.available;

/** A 3-node path graph 0 ↔ 1 ↔ 2. */
const PATH_EDGES = new Int32Array([0, 1, 1, 2, 1, 0, 2, 1]);

const f32 = (shape: number[]) => Tensor.zeros(shape, { dtype: 'f32' });
const f64 = (shape: number[]) => Tensor.zeros(shape, { dtype: 'f64' });
const i32 = (values: number[]) => Tensor.from(new Int32Array(values));

/** The error `fn` throws (inside a tidy, so the operands it builds are freed). */
function thrown(fn: () => unknown): unknown {
  let caught: unknown;
  tidy(() => {
    try {
      fn();
    } catch (e) {
      caught = e;
    }
  });
  return caught;
}

function expectKind(op: string, fn: () => unknown, code: FathomErrorCode, argument: string): FathomError {
  const e = thrown(fn);
  expect(e, `${op}: expected a FathomError ${code}, got ${String(e)}`).toBeInstanceOf(FathomError);
  const err = e as FathomError;
  expect(err.code, `${op}: ${err.message}`).toBe(code);
  expect(err.message.startsWith(`${op}: `), err.message).toBe(true);
  expect(err.message, err.message).toContain(argument);
  return err;
}

let graph: Graph;
let baseline: { tensors: number; bytes: number };
beforeEach(() => {
  graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
  graph.operator('gcn');
  graph.operator('gin', { dtype: 'f64' });
  graph.operator('sum', { dtype: 'f64' });
  baseline = liveCpu();
});
afterEach(() => {
  expect(liveCpu()).toEqual(baseline);
  graph.dispose();
});

const gcn = () => graph.operator('gcn');
const gin64 = () => graph.operator('gin', { dtype: 'f64' });
const sum64 = () => graph.operator('sum', { dtype: 'f64' });

/**
 * Every functional op taking two tensors (or a tensor and a graph operator), with one call whose
 * dtypes disagree and one whose shapes disagree; `arg` is the argument the message must name.
 */
interface BinaryCase {
  op: string;
  dtype: [() => unknown, string];
  shape: [() => unknown, string];
}

const binaryCases: BinaryCase[] = [
  { op: 'matmul', dtype: [() => matmul(f32([2, 3]), f64([3, 2])), 'argument b'], shape: [() => matmul(f32([2, 3]), f32([2, 3])), 'inner dimensions'] },
  {
    op: 'matmul',
    // the sparse path: a is SparseFeatures, checked in TypeScript with native's codes
    dtype: [() => sparse((a) => matmul(a, f32([3, 2]))), 'argument b'],
    shape: [() => sparse((a) => matmul(a, f64([2, 3]))), 'inner dimensions'],
  },
  { op: 'add', dtype: [() => add(f32([2]), f64([2])), 'argument y'], shape: [() => add(f32([2]), f32([3])), 'argument y'] },
  { op: 'sub', dtype: [() => sub(f32([2]), f64([2])), 'argument y'], shape: [() => sub(f32([2]), f32([3])), 'argument y'] },
  { op: 'mul', dtype: [() => mul(f32([2]), f64([2])), 'argument y'], shape: [() => mul(f32([2]), f32([3])), 'argument y'] },
  { op: 'axpby', dtype: [() => axpby(1, f32([2]), 2, f64([2])), 'argument y'], shape: [() => axpby(1, f32([2]), 2, f32([3])), 'argument y'] },
  { op: 'biasAdd', dtype: [() => biasAdd(f32([2, 3]), f64([3])), 'argument bias'], shape: [() => biasAdd(f32([2, 3]), f32([2])), 'argument bias'] },
  { op: 'propagate', dtype: [() => propagate(gcn(), f64([3, 2])), 'argument x'], shape: [() => propagate(gcn(), f32([4, 2])), 'argument x'] },
  {
    op: 'propagateWeighted',
    dtype: [() => propagateWeighted(sum64(), f64([3, 2]), f32([sum64().nnz])), 'argument edgeValues'],
    shape: [() => propagateWeighted(sum64(), f64([3, 2]), f64([sum64().nnz - 1])), 'argument edgeValues'],
  },
  {
    op: 'propagateFixed',
    dtype: [() => propagateFixed(sum64(), f64([3, 2]), f64([sum64().nnz]), f32([sum64().nnz])), 'argument transposedValues'],
    shape: [() => propagateFixed(sum64(), f64([3, 2]), f64([sum64().nnz]), f64([sum64().nnz - 1])), 'argument transposedValues'],
  },
  {
    op: 'propagateBiasAct',
    dtype: [() => propagateBiasAct(gcn(), f32([3, 2]), { bias: f64([2]) }), 'argument bias'],
    shape: [() => propagateBiasAct(gcn(), f32([3, 2]), { bias: f32([3]) }), 'argument bias'],
  },
  {
    op: 'edgeSoftmax',
    dtype: [() => edgeSoftmax(gin64(), Tensor.zeros([gin64().nnz], { dtype: 'i32' })), 'argument logits'],
    shape: [() => edgeSoftmax(gin64(), f64([gin64().nnz + 1])), 'argument logits'],
  },
  {
    op: 'gatAttention',
    dtype: [() => gatAttention(gin64(), f64([3, 4]), f64([3, 4]), f32([4]), null, { version: 'v2' }), 'argument aSrc'],
    shape: [() => gatAttention(gin64(), f64([3, 4]), f64([3, 2]), f64([4]), null, { version: 'v2' }), 'argument xt'],
  },
  {
    op: 'nllLoss',
    dtype: [() => nllLoss(f32([3, 2]), f32([3])), 'argument labels'],
    shape: [() => nllLoss(f32([3, 2]), i32([0, 1])), 'argument labels'],
  },
  {
    op: 'mseLoss',
    // composed of several native ops, checked in TypeScript with native's codes
    dtype: [() => mseLoss(f32([3, 2]), f64([3, 2])), 'argument target'],
    shape: [() => mseLoss(f32([3, 2]), f32([3, 3])), 'argument target'],
  },
];

/** Runs `fn` on sparse features f64 [2, 3], disposing them after. */
function sparse(fn: (a: SparseFeatures) => unknown): unknown {
  const dense = Tensor.from(new Float64Array([1, 0, 0, 0, 2, 0]), [2, 3]);
  const a = SparseFeatures.fromDense(dense);
  dense.dispose();
  try {
    return fn(a);
  } finally {
    a.dispose();
  }
}

describe('a dtype mismatch is FathomError TYPE in every op', () => {
  it.each(binaryCases.map((c, i) => [`${c.op}#${i}`, c] as const))('%s', (_, c) => {
    expectKind(c.op, c.dtype[0], 'TYPE', c.dtype[1]);
  });

  it('and so is a single operand of a dtype the op cannot take', () => {
    expectKind('relu', () => relu(i32([1, 2])), 'TYPE', 'argument x');
    expectKind('sum', () => sum(i32([1, 2])), 'TYPE', 'argument x');
    expectKind('logSoftmax', () => logSoftmax(Tensor.zeros([2, 2], { dtype: 'i32' })), 'TYPE', 'argument x');
    expectKind('scale', () => scale(i32([1, 2]), 2), 'TYPE', 'argument x');
    expectKind('dropout', () => dropout(i32([1, 2]), 0.5, { seed: 1 }), 'TYPE', 'argument x');
    expectKind('pairNorm', () => pairNorm(Tensor.zeros([2, 2], { dtype: 'i32' })), 'TYPE', 'argument x');
    expectKind(
      'spectralNormalize',
      () => spectralNormalize(Tensor.zeros([2, 2], { dtype: 'i32' }), new Float64Array(2), new Float64Array(2), 1),
      'TYPE',
      'argument w',
    );
  });
});

describe('a shape mismatch is FathomError SHAPE in every op', () => {
  it.each(binaryCases.map((c, i) => [`${c.op}#${i}`, c] as const))('%s', (_, c) => {
    expectKind(c.op, c.shape[0], 'SHAPE', c.shape[1]);
  });

  it('and so is an operand of the wrong rank', () => {
    expectKind('matmul', () => matmul(f32([2, 3]), f32([3])), 'SHAPE', 'argument b');
    expectKind('logSoftmax', () => logSoftmax(f32([4])), 'SHAPE', 'argument x');
    expectKind('pairNorm', () => pairNorm(f32([4])), 'SHAPE', 'argument x');
    expectKind('propagate', () => propagate(gcn(), f32([3])), 'SHAPE', 'argument x');
    expectKind('spectralNormalize', () => spectralNormalize(f32([2, 2]), new Float64Array(3), new Float64Array(2), 1), 'SHAPE', 'u has 3');
  });
});

describe('a numeric argument out of range is FathomError RANGE in every op', () => {
  it('probabilities, coefficients, seeds and labels', () => {
    expectKind('dropout', () => dropout(f32([4]), 1, { seed: 0 }), 'RANGE', 'argument p');
    expectKind('dropout', () => dropout(f32([4]), 0.5, { seed: -1 }), 'RANGE', 'argument seed');
    expectKind('dropout', () => sparse((a) => dropout(a, 1, { seed: 0 })), 'RANGE', 'argument p');
    expectKind(
      'gatAttention',
      () => gatAttention(gin64(), f64([3, 4]), f64([3, 4]), f64([4]), null, { version: 'v2', dropout: 1 }),
      'RANGE',
      'argument dropout',
    );
    expectKind('gatAttention', () => gatAttention(gin64(), f64([3, 4]), f64([3, 4]), f64([4]), null, { version: 'v2', heads: 3 }), 'RANGE', 'heads');
    expectKind('axpby', () => axpby(Number.NaN, f32([2]), 1, f32([2])), 'RANGE', 'argument alpha');
    expectKind('scale', () => scale(f32([2]), Infinity), 'RANGE', 'argument alpha');
    expectKind('propagate', () => propagate(gcn(), f32([3, 2]), { selfScale: Number.NaN }), 'RANGE', 'argument selfScale');
    expectKind('propagateBiasAct', () => propagateBiasAct(gcn(), f32([3, 2]), { alpha: -Infinity }), 'RANGE', 'argument alpha');
    expectKind('pairNorm', () => pairNorm(f32([3, 2]), { scale: 0 }), 'RANGE', 'argument scale');
    expectKind('spectralNormalize', () => spectralNormalize(f32([2, 2]), new Float64Array(2), new Float64Array(2), Number.NaN), 'RANGE', 'argument c');
    expectKind('nllLoss', () => nllLoss(f32([3, 2]), i32([0, 1, 2])), 'RANGE', 'labels[2] = 2');
  });

  it('and an option value outside the ones the op knows', () => {
    expectKind('gatAttention', () => gatAttention(gin64(), f64([3, 4]), f64([3, 4]), f64([4]), null, { version: 'v3' as 'v2' }), 'RANGE', 'argument version');
    expectKind('gatAttention', () => gatAttention(gcn(), f32([3, 4]), f32([3, 4]), f32([4]), null, { version: 'v2' }), 'RANGE', 'argument op');
    expectKind('propagateBiasAct', () => propagateBiasAct(gcn(), f32([3, 2]), { activation: 'tanh' as never }), 'RANGE', 'argument activation');
    expectKind('mseLoss', () => mseLoss(f32([3, 2]), f32([3, 2]), null, { reduction: 'max' as never }), 'RANGE', 'argument reduction');
  });
});

describe('the type and disposed guards stay TypeErrors', () => {
  it('not a Tensor, not a number, not a graph operator, a disposed tensor', () => {
    const bad: [string, () => unknown][] = [
      ['matmul', () => matmul(f32([2, 2]), 'w' as never)],
      ['add', () => add(f32([2]), [1, 2] as never)],
      ['scale', () => scale(f32([2]), '2' as never)],
      ['dropout', () => dropout(f32([2]), '0.5' as never, { seed: 0 })],
      ['propagate', () => propagate('gcn' as never, f32([3, 2]))],
      ['gatAttention', () => gatAttention(gin64(), f64([3, 4]), f64([3, 4]), f64([4]), null, { version: 'v2', heads: '2' as never })],
      [
        'biasAdd',
        () => {
          const b = f32([2]);
          b.dispose();
          return biasAdd(f32([3, 2]), b);
        },
      ],
    ];
    for (const [op, fn] of bad) {
      const e = thrown(fn);
      expect(e, `${op}: ${String(e)}`).toBeInstanceOf(TypeError);
      expect(e).not.toBeInstanceOf(FathomError);
      expect((e as Error).message.startsWith(`${op}: `), (e as Error).message).toBe(true);
    }
  });
});

describe('a device mismatch is FathomError DEVICE', () => {
  // Stand-ins with the fields the TypeScript checks read: no cuda tensor can exist without a GPU.
  const fake = (device: 'cpu' | 'cuda') => ({ dtype: 'f32', shape: [3, 2], device, describe: () => `f32[3, 2] on ${device}` }) as unknown as Tensor;

  it('from the TypeScript checks (sparse matmul, mseLoss), naming the op, the argument and both tensors', () => {
    const e = thrown(() => requireSameDevice('mseLoss', 'pred', fake('cpu'), 'target', fake('cuda')));
    expect(e).toBeInstanceOf(FathomError);
    expect((e as FathomError).code).toBe('DEVICE');
    expect((e as Error).message).toBe('mseLoss: argument target is f32[3, 2] on cuda but pred is f32[3, 2] on cpu; both must be on one device');
  });

  it.runIf(!CUDA)('from a tensor asked for on a device this machine lacks', () => {
    const e = thrown(() => Tensor.zeros([2], { device: 'cuda' }));
    expect(e).toBeInstanceOf(FathomError);
    expect((e as FathomError).code).toBe('DEVICE');
  });

  // The native device checks need a cuda tensor: on a machine without CUDA these cases are skipped.
  it.skipIf(!CUDA)('from the native checks of every op taking two tensors (skipped without CUDA: needs a cuda tensor)', () => {
    const cu = (shape: number[], dtype: 'f32' | 'f64' = 'f32') => Tensor.zeros(shape, { dtype, device: 'cuda' });
    const cases: [string, () => unknown, string][] = [
      ['matmul', () => matmul(f32([2, 3]), cu([3, 2])), 'argument b'],
      ['matmul', () => sparse((a) => matmul(a, cu([3, 2], 'f64'))), 'argument b'],
      ['add', () => add(f32([2]), cu([2])), 'argument y'],
      ['sub', () => sub(f32([2]), cu([2])), 'argument y'],
      ['mul', () => mul(f32([2]), cu([2])), 'argument y'],
      ['axpby', () => axpby(1, f32([2]), 1, cu([2])), 'argument y'],
      ['biasAdd', () => biasAdd(f32([2, 3]), cu([3])), 'argument bias'],
      ['propagate', () => propagate(gcn(), cu([3, 2])), 'argument x'],
      ['propagateWeighted', () => propagateWeighted(sum64(), f64([3, 2]), cu([sum64().nnz], 'f64')), 'argument edgeValues'],
      ['propagateBiasAct', () => propagateBiasAct(gcn(), f32([3, 2]), { bias: cu([2]) }), 'argument bias'],
      ['edgeSoftmax', () => edgeSoftmax(gin64(), cu([gin64().nnz], 'f64')), 'argument logits'],
      ['gatAttention', () => gatAttention(gin64(), f64([3, 4]), f64([3, 4]), cu([4], 'f64'), null, { version: 'v2' }), 'argument aSrc'],
      ['nllLoss', () => nllLoss(f32([3, 2]), Tensor.zeros([3], { dtype: 'i32', device: 'cuda' })), 'argument labels'],
      ['mseLoss', () => mseLoss(f32([3, 2]), cu([3, 2])), 'argument target'],
    ];
    for (const [op, fn, arg] of cases) {
      const e = expectKind(op, fn, 'DEVICE', arg);
      expect(e.message).toContain('on cuda');
      expect(e.message).toContain('cpu');
    }
  });
});
