// Typed arrays backed by a SharedArrayBuffer (shared with workers) are accepted wherever typed
// arrays are, and copied: Tensor.from used to fail with a bare "Error: Invalid argument".
import { describe, expect, it } from 'vitest';

import { Graph, NodeData, SparseFeatures, Tensor } from '../../lib/index.js';
import { expectFathom, smallSbm } from '../helpers/apiFixtures.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

/** `values` in a view of type `C` that starts `offset` elements into a SharedArrayBuffer. */
function shared<C extends Ctor>(C: C, values: number[], offset = 0): InstanceType<C> {
  const sab = new SharedArrayBuffer((values.length + offset + 3) * C.BYTES_PER_ELEMENT);
  // (A union of constructors takes only the overloads all share: the cast picks the buffer one.)
  const View = C as unknown as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => InstanceType<C>;
  const view = new View(sab, offset * C.BYTES_PER_ELEMENT, values.length);
  view.set(values);
  return view;
}

describe('SharedArrayBuffer inputs', () => {
  for (const [dtype, C, values] of [
    ['f32', Float32Array, [1.5, -2, 3.25, 0, 7, -8]],
    ['f64', Float64Array, [0.1, -0.2, 1e300, -1e-300, 5, 6]],
    ['i32', Int32Array, [1, -2, 2147483647, -2147483648, 0, 9]],
    ['u8', Uint8Array, [0, 1, 127, 128, 255, 3]],
  ] as const) {
    it(`Tensor.from copies a shared ${C.name} (at a byte offset) into a ${dtype} tensor`, () => {
      const data = shared(C, [...values], 2);
      using t = Tensor.from(data, [2, 3]);
      expect(t.dtype).toBe(dtype);
      expect(Array.from(t.toArray())).toEqual(Array.from(new C(values)));
      // A copy: writes to the shared memory afterwards do not reach the tensor.
      data[0] = 42;
      expect(t.toArray()[0]).toBe(new C(values)[0]);
    });
  }

  it('Tensor.from converts a shared array to another dtype', () => {
    using t = Tensor.from(shared(Float64Array, [1, 2, 3]), [3], { dtype: 'f32' });
    expect(t.dtype).toBe('f32');
    expect(Array.from(t.toArray())).toEqual([1, 2, 3]);
  });

  it('Graph.fromEdgeIndex builds the same graph from a shared Int32Array as from a plain one', () => {
    // Edges 0→1, 1→0, 1→2, 2→1, 0→2: in-degrees 1, 2, 2.
    const edges = [0, 1, 1, 2, 0, 1, 0, 2, 1, 2];
    using fromShared = Graph.fromEdgeIndex(shared(Int32Array, edges, 1), { numNodes: 3 });
    using fromPlain = Graph.fromEdgeIndex(new Int32Array(edges), { numNodes: 3 });
    expect(Array.from(fromShared.inDegree())).toEqual([1, 2, 2]);
    expect(Array.from(fromShared.inDegree())).toEqual(Array.from(fromPlain.inDegree()));
    expect(fromShared.numEdges).toBe(5);
  });

  it('Graph.fromEdgeIndex checks the indices of a shared Int32Array like any other', () => {
    expectFathom(() => Graph.fromEdgeIndex(shared(Int32Array, [0, 5, 1, 0]), { numNodes: 3 }), 'RANGE', 'Graph', '5');
  });

  it('SparseFeatures.fromDense holds the nonzeros of a tensor made from shared memory', () => {
    using x = Tensor.from(shared(Float32Array, [0, 2, 0, 0, 0, 3]), [2, 3]);
    using xs = SparseFeatures.fromDense(x);
    expect(xs.nnz).toBe(2);
    using dense = xs.toDense();
    expect(Array.from(dense.toArray())).toEqual([0, 2, 0, 0, 0, 3]);
  });

  it('NodeData.from takes a dataset whose arrays all live in shared memory', () => {
    const plain = smallSbm();
    const toShared = <C extends Ctor>(C: C, a: ArrayLike<number>) => shared(C, Array.from(a));
    const sharedData = {
      ...plain,
      x: toShared(Float32Array, plain.x),
      edgeIndex: toShared(Int32Array, plain.edgeIndex),
      y: toShared(Int32Array, plain.y),
      trainMask: toShared(Uint8Array, plain.trainMask),
      valMask: toShared(Uint8Array, plain.valMask),
      testMask: toShared(Uint8Array, plain.testMask),
    };
    using a = NodeData.from(sharedData);
    using b = NodeData.from(plain);
    expect(Array.from(a.x.toArray())).toEqual(Array.from(b.x.toArray()));
    expect(Array.from(a.y.toArray())).toEqual(Array.from(plain.y));
    expect(Array.from(a.trainMask.toArray())).toEqual(Array.from(plain.trainMask));
    expect(Array.from(a.graph.inDegree())).toEqual(Array.from(b.graph.inDegree()));
  });
});
