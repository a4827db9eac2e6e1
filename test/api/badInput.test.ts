// Bad input of every kind gives a clear JS error (the right class and code, a message naming the
// op and the argument or shape), never a crash, and leaves nothing allocated behind. Wrong JS
// types and disposed tensors are TypeErrors; the values the native ops check (dtype, shape,
// device, range) are FathomErrors with a code (docs/errors.md).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  Adam,
  FathomError,
  GCN,
  GCNConv,
  Graph,
  NodeData,
  Rng,
  SGD,
  Tensor,
  add,
  axpby,
  backward,
  biasAdd,
  devices,
  dropout,
  fit,
  logSoftmax,
  matmul,
  mean,
  mul,
  nllLoss,
  propagate,
  relu,
  resolveDevice,
  scale,
  sub,
  sum,
  tidy,
} from '../../lib/index.js';
import type { GraphOperator } from '../../lib/index.js';
import { expectFathom, expectRejects, expectThrows, liveCpu, smallNodeData, smallSbm } from '../helpers/apiFixtures.js';

const CUDA = devices().cuda.available;

/** A 3-node path graph 0 ↔ 1 ↔ 2. */
const PATH_EDGES = new Int32Array([0, 1, 1, 2, 1, 0, 2, 1]);

function randomTensor(rng: Rng, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = 2 * rng.nextFloat() - 1;
  return Tensor.from(v, shape);
}

// Every case must leave no tensor behind: the error paths free what they allocated.
let baseline: { tensors: number; bytes: number };
beforeEach(() => {
  baseline = liveCpu();
});
afterEach(() => {
  expect(liveCpu()).toEqual(baseline);
});

describe('edge indices', () => {
  it('rejects an edge index equal to numNodes with a FathomError RANGE naming the position and the bound', () => {
    expectFathom(() => Graph.fromEdgeIndex(new Int32Array([0, 1, 1, 3]), { numNodes: 3 }), 'RANGE', 'Graph', 'edgeIndex[1, 1] = 3', 'num_nodes = 3');
  });

  it('rejects a negative edge index with a FathomError RANGE naming the position', () => {
    expectFathom(() => Graph.fromEdgeIndex(new Int32Array([0, -1, 1, 2]), { numNodes: 3 }), 'RANGE', 'Graph', 'edgeIndex[0, 1] = -1');
    // Without numNodes the bound is inferred from the largest index; the negative one is still caught.
    expectFathom(() => Graph.fromEdgeIndex(new Int32Array([2, 0, -5, 1])), 'RANGE', 'edgeIndex[1, 0] = -5');
  });

  it('rejects out-of-range indices given as nested arrays or as an i32 tensor', () => {
    expectFathom(
      () =>
        Graph.fromEdgeIndex(
          [
            [0, 1],
            [1, 7],
          ],
          { numNodes: 3 },
        ),
      'RANGE',
      'edgeIndex[1, 1] = 7',
    );
    using t = Tensor.from(new Int32Array([0, 4, 1, 0]), [2, 2]);
    expectFathom(() => Graph.fromEdgeIndex(t, { numNodes: 3 }), 'RANGE', 'edgeIndex[0, 1] = 4');
  });

  it('rejects an odd-length flat edge index with a RangeError giving the length', () => {
    expectThrows(() => Graph.fromEdgeIndex(new Int32Array([0, 1, 2])), RangeError, 'Graph.fromEdgeIndex', 'odd length 3');
  });

  it('rejects nested edge rows of different lengths and a tensor that is not [2, E]', () => {
    expectThrows(
      () =>
        Graph.fromEdgeIndex([
          [0, 1, 2],
          [1, 0],
        ]),
      RangeError,
      'Graph.fromEdgeIndex',
      '3 sources, 2 targets',
    );
    using t = Tensor.from(new Int32Array([0, 1, 2, 1, 0, 1]), [3, 2]);
    expectThrows(() => Graph.fromEdgeIndex(t), RangeError, 'Graph.fromEdgeIndex', '[2, E]', 'i32[3, 2]');
    using f = Tensor.from([0, 1, 1, 0], [2, 2]);
    expectThrows(() => Graph.fromEdgeIndex(f), TypeError, 'Graph.fromEdgeIndex', 'must be i32', 'f32[2, 2]');
  });

  it('rejects a numNodes that is not a non-negative integer', () => {
    expectThrows(() => Graph.fromEdgeIndex(PATH_EDGES, { numNodes: -1 }), RangeError, 'Graph.fromEdgeIndex', 'numNodes', '-1');
    expectThrows(() => Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 2.5 }), RangeError, 'numNodes', '2.5');
  });
});

describe('feature and operand shapes', () => {
  it('rejects features with the wrong column count in GCNConv.forward, naming both shapes', () => {
    using graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    using conv = new GCNConv(4, 2, { seed: 1 });
    using x = randomTensor(new Rng(1), [3, 5]);
    expectFathom(() => conv.forward(x, graph), 'SHAPE', 'GCNConv.forward', 'f32[3, 5]', '[3, 4]');
    using v = randomTensor(new Rng(2), [12]);
    expectFathom(() => conv.forward(v, graph), 'SHAPE', 'GCNConv.forward', 'f32[12]');
  });

  it('rejects features with the wrong row count in propagate and in GCNConv.forward', () => {
    using graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    using x = randomTensor(new Rng(3), [4, 2]);
    expectFathom(() => propagate(graph.operator('gcn'), x), 'SHAPE', 'propagate', 'argument x', 'f32[4, 2]', 'one row per node (3)');
    // Every layer checks x against the graph before any op runs.
    using conv = new GCNConv(2, 3, { seed: 1 });
    expectFathom(() => conv.forward(x, graph), 'SHAPE', 'GCNConv.forward', 'f32[4, 2]', '[3, 2] (graph nodes × inChannels)');
  });

  it('rejects matmul operands whose inner dimensions differ, naming both shapes and transposes', () => {
    const rng = new Rng(4);
    using a = randomTensor(rng, [2, 3]);
    using b = randomTensor(rng, [4, 2]);
    expectFathom(() => matmul(a, b), 'SHAPE', 'matmul', 'inner dimensions', 'f32[2, 3]', 'f32[4, 2]');
    expectFathom(() => matmul(a, b, { transB: true }), 'SHAPE', 'matmul', 'transB=true');
    using v = randomTensor(rng, [3]);
    expectFathom(() => matmul(a, v), 'SHAPE', 'matmul', 'argument b', '2-D', 'f32[3]');
  });

  it('rejects a bias that does not match the columns of x', () => {
    const rng = new Rng(5);
    using x = randomTensor(rng, [2, 3]);
    using bias = randomTensor(rng, [4]);
    expectFathom(() => biasAdd(x, bias), 'SHAPE', 'biasAdd', 'argument bias', 'f32[4]', 'f32[2, 3]');
    using bias2 = randomTensor(rng, [1, 3]);
    expectFathom(() => biasAdd(x, bias2), 'SHAPE', 'biasAdd', 'argument bias', 'f32[1, 3]', 'must be [3]');
  });

  it('rejects elementwise operands of different shapes', () => {
    const rng = new Rng(6);
    using x = randomTensor(rng, [2, 3]);
    using y = randomTensor(rng, [3, 2]);
    expectFathom(() => mul(x, y), 'SHAPE', 'mul', 'argument y', 'f32[3, 2]', 'f32[2, 3]', 'shapes must be equal');
  });

  it('rejects labels whose length differs from the rows of logp', () => {
    using logp = randomTensor(new Rng(7), [3, 2]);
    using labels = Tensor.from(new Int32Array([0, 1]));
    expectFathom(() => nllLoss(logp, labels), 'SHAPE', 'nllLoss', 'argument labels is i32[2]', 'must be [3]');
    using labels3 = Tensor.from(new Int32Array([0, 1, 1]));
    using mask = Tensor.from(new Uint8Array([1, 1]));
    expectFathom(() => nllLoss(logp, labels3, mask), 'SHAPE', 'nllLoss', 'argument mask is u8[2]', 'must be [3]');
  });

  it('rejects a label outside [0, C) in a masked row with a FathomError RANGE from the native check', () => {
    using logp = randomTensor(new Rng(8), [3, 2]);
    using labels = Tensor.from(new Int32Array([0, 1, 2]));
    using mask = Tensor.from(new Uint8Array([1, 1, 1]));
    expectFathom(() => nllLoss(logp, labels, mask), 'RANGE', 'nllLoss', 'labels[2] = 2', 'out of range [0, 2)');
    using negative = Tensor.from(new Int32Array([0, -1, 1]));
    expectFathom(() => nllLoss(logp, negative), 'RANGE', 'nllLoss', 'labels[1] = -1');
  });

  it('ignores out-of-range labels in rows outside the mask (unlabeled nodes)', () => {
    using logp = Tensor.from([-1, -2, -3, -4, -5, -6], [3, 2]);
    using labels = Tensor.from(new Int32Array([1, -1, 99]));
    using mask = Tensor.from(new Uint8Array([1, 0, 0]));
    using loss = nllLoss(logp, labels, mask);
    expect(loss.item()).toBe(2);
  });
});

describe('non-finite features', () => {
  it('rejects a NaN in the features of NodeData.from with a RangeError mentioning NaN', () => {
    const g = smallSbm({ numNodes: 40, numEdges: 200 });
    g.x[17] = Number.NaN;
    expectThrows(() => NodeData.from(g), RangeError, 'NodeData.from', 'NaN', '1 ');
  });

  it('rejects infinite features too, counting them', () => {
    const g = smallSbm({ numNodes: 40, numEdges: 200 });
    g.x[0] = Number.POSITIVE_INFINITY;
    g.x[5] = Number.NEGATIVE_INFINITY;
    expectThrows(() => NodeData.from(g), RangeError, 'NodeData.from', '2 NaN or infinite');
  });
});

describe('dtypes', () => {
  it('rejects an i32 tensor in relu with a FathomError TYPE naming the op, the argument and the dtype', () => {
    using x = Tensor.from(new Int32Array([1, -2, 3]));
    expectFathom(() => relu(x), 'TYPE', 'relu', 'argument x', 'f32 or f64', 'i32[3]');
  });

  it('rejects mixed f32 and f64 operands in add with a FathomError TYPE naming add and both dtypes', () => {
    using x = Tensor.from(new Float32Array([1, 2]));
    using y = Tensor.from(new Float64Array([1, 2]));
    // The user called add(); an error that only says "axpby" points at a function they never used.
    expectFathom(() => add(x, y), 'TYPE', /^add:/, 'f32[2]', 'f64[2]');
  });

  it('rejects mixed dtypes in the other binary ops with a FathomError TYPE naming both dtypes', () => {
    using x = Tensor.from(new Float32Array([1, 2, 3, 4]), [2, 2]);
    using y = Tensor.from(new Float64Array([1, 2, 3, 4]), [2, 2]);
    expectFathom(() => mul(x, y), 'TYPE', 'mul', 'f64[2, 2]', 'f32[2, 2]');
    expectFathom(() => axpby(1, x, 2, y), 'TYPE', 'axpby', 'argument y');
    expectFathom(() => matmul(x, y), 'TYPE', 'matmul', 'argument b');
    using b64 = Tensor.from(new Float64Array([1, 2]));
    expectFathom(() => biasAdd(x, b64), 'TYPE', 'biasAdd', 'argument bias');
  });

  it('rejects labels and masks of the wrong dtype in nllLoss', () => {
    using logp = Tensor.from([0, 0, 0, 0], [2, 2]);
    using floatLabels = Tensor.from([0, 1]);
    expectFathom(() => nllLoss(logp, floatLabels), 'TYPE', 'nllLoss', 'argument labels', 'must be i32', 'f32[2]');
    using labels = Tensor.from(new Int32Array([0, 1]));
    using intMask = Tensor.from(new Int32Array([1, 1]));
    expectFathom(() => nllLoss(logp, labels, intMask), 'TYPE', 'nllLoss', 'argument mask', 'must be u8');
  });

  it('rejects features whose dtype differs from the graph operator', () => {
    using graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    using x = Tensor.from(new Float64Array(6), [3, 2]);
    expectFathom(() => propagate(graph.operator('gcn', { dtype: 'f32' }), x), 'TYPE', 'propagate', 'f64[3, 2]', 'f32 values');
    expectThrows(() => graph.operator('gcn', { dtype: 'i32' }), TypeError, 'Graph.operator', 'f32 or f64');
  });

  it('rejects an unknown dtype in Tensor.from and cast with a RangeError', () => {
    expectThrows(() => Tensor.from([1, 2], [2], { dtype: 'f16' as never }), RangeError, 'Tensor.from', "'f16'");
    using t = Tensor.from([1, 2]);
    expectThrows(() => t.cast('bf16' as never), RangeError, 'cast', "'bf16'");
  });
});

describe('devices', () => {
  it.runIf(!CUDA)('throws a DEVICE FathomError mentioning cuda for Tensor.from on cuda without a GPU', () => {
    const e = expectThrows(() => Tensor.from([1, 2, 3], [3], { device: 'cuda' }), FathomError, /cuda/i);
    expect((e as FathomError).code).toBe('DEVICE');
    expect(e.name).toBe('FathomError');
  });

  it.runIf(!CUDA)('throws a DEVICE FathomError for zeros, to() and a cuda layer without a GPU', () => {
    expect((expectThrows(() => Tensor.zeros([2], { device: 'cuda' }), FathomError, /cuda/i) as FathomError).code).toBe('DEVICE');
    using t = Tensor.from([1, 2]);
    expect((expectThrows(() => t.to('cuda'), FathomError, /cuda/i) as FathomError).code).toBe('DEVICE');
    expect((expectThrows(() => new GCNConv(3, 2, { device: 'cuda' }), FathomError, /cuda/i) as FathomError).code).toBe('DEVICE');
  });

  it.runIf(!CUDA)('explains why cuda is unavailable in devices() and resolveDevice', () => {
    const { cuda } = devices();
    expect(cuda.available).toBe(false);
    expect(cuda.reason).toMatch(/\S/);
    expectThrows(() => resolveDevice('cuda'), RangeError, "device 'cuda' is unavailable", cuda.reason!);
    expect(resolveDevice('auto')).toBe('cpu');
  });

  it('rejects a device name that is not cpu or cuda', () => {
    using t = Tensor.from([1, 2]);
    expectThrows(() => t.to('tpu' as never), RangeError, 'to', "'tpu'");
    expectThrows(() => resolveDevice('tpu' as never), RangeError, "'tpu'");
    using graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    expectThrows(() => graph.operator('gcn', { device: 'tpu' as never }), RangeError, 'Graph.operator', "'tpu'");
  });

  it.runIf(CUDA)('rejects a cpu tensor added to a cuda tensor with a FathomError DEVICE naming both tensors', () => {
    using x = Tensor.from([1, 2, 3]);
    using y = Tensor.from([1, 2, 3], [3], { device: 'cuda' });
    expectFathom(() => add(x, y), 'DEVICE', 'add', 'argument y is f32[3] on cuda', 'x is f32[3] on cpu');
  });

  it.runIf(CUDA)('rejects cpu features propagated with a cuda operator', () => {
    using graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    using x = Tensor.from(new Float32Array(6), [3, 2]);
    expectFathom(() => propagate(graph.operator('gcn', { device: 'cuda' }), x), 'DEVICE', 'propagate', 'argument x is f32[3, 2] on cpu', 'cuda');
  });
});

describe('disposed tensors', () => {
  const rng = new Rng(9);
  /** A tensor of `shape`, already disposed. */
  const disposed = (shape = [3, 2]): Tensor => {
    const t = randomTensor(rng, shape);
    t.dispose();
    return t;
  };

  it('rejects a disposed tensor in every functional op with a TypeError naming the op, the argument and "disposed"', () => {
    using graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    using live = randomTensor(rng, [3, 2]);
    using w = randomTensor(rng, [2, 2]);
    using bias = randomTensor(rng, [2]);
    using labels = Tensor.from(new Int32Array([0, 1, 0]));
    const d = disposed();
    const cases: [string, string, () => unknown][] = [
      ['matmul', 'argument a', () => matmul(d, w)],
      ['matmul', 'argument b', () => matmul(live, disposed([2, 2]))],
      ['axpby', 'argument x', () => axpby(1, d, 1, live)],
      ['axpby', 'argument y', () => axpby(1, live, 1, d)],
      ['add', 'argument x', () => add(d, live)],
      ['sub', 'argument y', () => sub(live, d)],
      ['mul', 'argument x', () => mul(d, live)],
      ['scale', 'argument x', () => scale(d, 2)],
      ['biasAdd', 'argument x', () => biasAdd(d, bias)],
      ['biasAdd', 'argument bias', () => biasAdd(live, disposed([2]))],
      ['dropout', 'argument x', () => dropout(d, 0.5, { seed: 1 })],
      ['dropout', 'argument x', () => dropout(d, 0, { seed: 1 })],
      ['logSoftmax', 'argument x', () => logSoftmax(d)],
      ['nllLoss', 'argument logp', () => nllLoss(d, labels)],
      [
        'nllLoss',
        'argument labels',
        () =>
          nllLoss(
            live,
            (() => {
              const l = Tensor.from(new Int32Array(3));
              l.dispose();
              return l;
            })(),
          ),
      ],
      [
        'nllLoss',
        'argument mask',
        () =>
          nllLoss(
            live,
            labels,
            (() => {
              const m = Tensor.from(new Uint8Array(3));
              m.dispose();
              return m;
            })(),
          ),
      ],
      ['propagate', 'argument x', () => propagate(graph.operator('gcn'), d)],
      ['relu', 'argument x', () => relu(d)],
      ['sum', 'argument x', () => sum(d)],
      ['mean', 'argument x', () => mean(d)],
    ];
    for (const [op, arg, fn] of cases) {
      const e = expectThrows(fn, TypeError, 'disposed', arg);
      // add and sub are axpby underneath; the rest name themselves.
      expect(e.message, `${op} with a disposed ${arg}`).toMatch(op === 'add' || op === 'sub' ? /^(add|sub|axpby):/ : new RegExp(`^${op}:`));
    }
  });

  it('rejects reading a disposed tensor with a TypeError naming the method', () => {
    const t = disposed();
    expect(t.disposed).toBe(true);
    expectThrows(() => t.toArray(), TypeError, 'toArray', 'disposed', 'f32[3, 2]');
    expectThrows(() => t.clone(), TypeError, 'clone', 'disposed');
    expectThrows(() => t.cast('f64'), TypeError, 'cast', 'disposed');
    expectThrows(() => t.to('cpu'), TypeError, 'to', 'disposed');
    const s = disposed([1]);
    expectThrows(() => s.item(), TypeError, 'disposed');
    expect(String(t)).toBe('Tensor(f32[3, 2] on cpu, disposed)');
  });

  it('accepts dispose twice and Symbol.dispose after dispose', () => {
    const t = randomTensor(rng, [4]);
    const before = liveCpu().tensors;
    t.dispose();
    expect(liveCpu().tensors).toBe(before - 1);
    expect(() => t.dispose()).not.toThrow();
    expect(() => t[Symbol.dispose]()).not.toThrow();
    expect(liveCpu().tensors).toBe(before - 1);
  });

  it('rejects backward from a disposed root with a TypeError instead of silently doing nothing', () => {
    using w = Tensor.from([1, 2, 3]);
    w.requiresGrad = true;
    const root = tidy(() => sum(mul(w, w)));
    root.dispose();
    try {
      expectThrows(() => backward(root), TypeError, 'backward', 'disposed');
      expect(w.grad).toBeNull();
    } finally {
      // what a silent backward leaves behind: the seed gradient parked on the disposed root
      root.grad?.dispose();
      w.grad?.dispose();
    }
  });

  it('rejects backward through a disposed intermediate instead of silently dropping the parameter gradient', () => {
    using w = Tensor.from([1, 2, 3]);
    w.requiresGrad = true;
    let square: Tensor | undefined;
    // tidy disposes mul's output, which sum's backward still has to pass through
    using root = tidy(() => {
      square = mul(w, w);
      return sum(square);
    });
    try {
      expectThrows(() => backward(root), TypeError, 'backward', 'disposed');
      expect(w.grad).toBeNull();
    } finally {
      square?.grad?.dispose();
      w.grad?.dispose();
    }
  });

  it('rejects a graph operator used after its graph was disposed', () => {
    const graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    const op = graph.operator('gcn');
    graph.dispose();
    using x = randomTensor(rng, [3, 2]);
    expectThrows(() => propagate(op, x), TypeError, 'propagate', 'disposed with its graph');
    expectThrows(() => graph.operator('mean'), TypeError, 'Graph.operator', 'graph was disposed');
    using conv = new GCNConv(2, 2, { seed: 0 });
    expectThrows(() => conv.forward(x, graph), TypeError, 'graph was disposed');
    expect(() => graph.dispose()).not.toThrow();
  });

  it('rejects a forward pass through a disposed layer', () => {
    using graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    using x = randomTensor(rng, [3, 2]);
    // out <= in: the first op is x Wᵀ, which meets the disposed weight before allocating anything.
    const conv = new GCNConv(2, 2, { seed: 0 });
    conv.dispose();
    expect(conv.disposed).toBe(true);
    expectThrows(() => conv.forward(x, graph), TypeError, 'matmul', 'argument b', 'disposed');
  });
});

describe('wrong JS types', () => {
  it('rejects a string where a tensor belongs, naming the op, the argument and the type', () => {
    using t = Tensor.from([1, 2, 3, 4], [2, 2]);
    const s = 'x' as unknown as Tensor;
    expectThrows(() => relu(s), TypeError, 'relu', 'argument x must be a Tensor', 'got string');
    expectThrows(() => matmul(t, s), TypeError, 'matmul', 'argument b must be a Tensor');
    expectThrows(() => add(s, t), TypeError, 'argument x must be a Tensor');
    expectThrows(() => logSoftmax(null as unknown as Tensor), TypeError, 'logSoftmax', 'argument x');
    expectThrows(() => nllLoss(t, [0, 1] as unknown as Tensor), TypeError, 'nllLoss', 'argument labels', 'got object');
    expectThrows(() => backward(s), TypeError, 'backward', 'argument root must be a Tensor');
  });

  it('rejects a string where the graph operator belongs in propagate with a TypeError naming the argument', () => {
    using x = Tensor.from(new Float32Array(6), [3, 2]);
    expectThrows(() => propagate('gcn' as unknown as GraphOperator, x), TypeError, 'propagate', /\bop\b|operator/);
    expectThrows(() => propagate(null as unknown as GraphOperator, x), TypeError, 'propagate', /\bop\b|operator/);
  });

  it('rejects a string where a tensor or graph belongs in GCNConv.forward', () => {
    using graph = Graph.fromEdgeIndex(PATH_EDGES, { numNodes: 3 });
    using conv = new GCNConv(2, 2, { seed: 0 });
    using x = Tensor.from(new Float32Array(6), [3, 2]);
    expectThrows(() => conv.forward('x' as unknown as Tensor, graph), TypeError, 'GCNConv.forward', 'argument x must be a Tensor');
    expectThrows(() => conv.forward(x, 'graph' as unknown as Graph), TypeError, 'GCNConv.forward', 'graph');
  });

  it('rejects data that is not an array in Tensor.from and Graph.fromEdgeIndex', () => {
    expectThrows(() => Tensor.from('1234' as never), TypeError, 'Tensor.from', 'data must be an array');
    expectThrows(() => Tensor.from([1, 2], 'ab' as never), TypeError, 'Tensor.from', 'shape');
    expectThrows(() => Graph.fromEdgeIndex('0 1' as never), TypeError, 'Graph.fromEdgeIndex', 'edgeIndex must be');
    expectThrows(
      () =>
        Graph.fromEdgeIndex([
          [0, 1.5],
          [1, 0],
        ]),
      TypeError,
      'Graph.fromEdgeIndex',
      'edgeIndex[:, 1]',
    );
  });

  it('rejects non-numeric scalars in the ops that take them', () => {
    using t = Tensor.from([1, 2]);
    expectThrows(() => scale(t, '2' as never), TypeError, 'scale', 'alpha');
    expectFathom(() => axpby(Number.NaN, t, 1, t), 'RANGE', 'axpby', 'alpha', 'finite');
    expectThrows(() => Tensor.full([2], 'one' as never), TypeError, 'Tensor.full', 'value');
  });
});

describe('shapes and hyperparameters', () => {
  it('rejects Tensor.from when the data length does not match the shape', () => {
    expectThrows(() => Tensor.from([1, 2, 3], [2, 2]), RangeError, 'Tensor.from', '3 elements', 'shape [2, 2]', 'needs 4');
    expectThrows(() => Tensor.from(new Float64Array(5), [2, 3]), RangeError, 'Tensor.from', '5 elements', 'needs 6');
  });

  it('rejects a negative or fractional shape', () => {
    expectThrows(() => Tensor.from([], [-1]), RangeError, 'Tensor.from', 'shape[0] = -1');
    expectThrows(() => Tensor.from([1, 2], [2, 1.5 as number]), RangeError, 'Tensor.from', 'shape[1] = 1.5');
    expectThrows(() => Tensor.zeros([3, -2]), RangeError, 'shape[1] = -2');
  });

  it('rejects dropout with p = 1 or p = -0.1, and a GCN with dropout 1', () => {
    using x = Tensor.from([1, 2, 3, 4]);
    expectFathom(() => dropout(x, 1, { seed: 0 }), 'RANGE', 'dropout', 'argument p = 1 must be in [0, 1)');
    expectFathom(() => dropout(x, -0.1, { seed: 0 }), 'RANGE', 'dropout', 'p = -0.1');
    expectFathom(() => dropout(x, 0.5, { seed: -1 }), 'RANGE', 'dropout', 'argument seed = -1');
    expectFathom(() => dropout(x, 0.5, { seed: 1.5 }), 'RANGE', 'dropout', 'argument seed = 1.5');
    expectThrows(() => new GCN({ inChannels: 4, hiddenChannels: 4, outChannels: 2, dropout: 1 }), RangeError, 'GCN', 'dropout', 'got 1');
  });

  it('rejects an optimizer with lr = -1, naming the optimizer and the hyperparameter', () => {
    using conv = new GCNConv(3, 2, { seed: 0 });
    expectThrows(() => new SGD(conv.parameters(), { lr: -1 }), RangeError, 'SGD', 'lr', 'got -1');
    expectThrows(() => new Adam(conv.parameters(), { lr: -1 }), RangeError, 'Adam', 'lr', 'got -1');
    expectThrows(() => new Adam(conv.parameters(), { betas: [0.9, 1] }), RangeError, 'Adam', 'betas');
    expectThrows(() => new SGD(conv.parameters(), { lr: 0.1, momentum: -0.5 }), RangeError, 'SGD', 'momentum');
    expectThrows(() => new SGD([], { lr: 0.1 }), RangeError, 'SGD', 'no parameters');
  });

  it('rejects layers and models with non-positive widths or depths', () => {
    expectThrows(() => new GCNConv(0, 2), RangeError, 'GCNConv', 'inChannels', 'got 0');
    expectThrows(() => new GCNConv(3, 2, { t: 0 }), RangeError, 'GCNConv', 't must be in (0, 1]');
    expectThrows(() => new GCN({ inChannels: 3, hiddenChannels: 4, outChannels: 2, numLayers: 0 }), RangeError, 'GCN', 'numLayers');
  });

  it('rejects fit with epochs 0 or a negative patience before training anything', async () => {
    using data = smallNodeData({ numNodes: 40, numEdges: 200 });
    using model = new GCN({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, seed: 0 });
    await expectRejects(fit(model, data, { epochs: 0 }), RangeError, 'fit', 'epochs', 'got 0');
    await expectRejects(fit(model, data, { epochs: 2.5 }), RangeError, 'fit', 'epochs');
    await expectRejects(fit(model, data, { epochs: 5, patience: -1 }), RangeError, 'fit', 'patience', 'got -1');
  });
});
