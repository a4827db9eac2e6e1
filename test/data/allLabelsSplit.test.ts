import { describe, expect, it } from 'vitest';

import { allLabelsSplit } from '../../lib/data/allLabelsSplit.js';
import type { GraphData } from '../../lib/data/types.js';

function tiny(y: number[]): GraphData {
  const n = y.length;
  return {
    name: 'tiny',
    numNodes: n,
    numEdges: 1,
    numFeatures: 1,
    numClasses: 2,
    edgeIndex: Int32Array.from([0, 1]),
    x: new Float32Array(n),
    y: Int32Array.from(y),
    trainMask: Uint8Array.from(y.map((_, i) => (i === 0 ? 1 : 0))),
    valMask: Uint8Array.from(y.map((_, i) => (i === 1 ? 1 : 0))),
    testMask: Uint8Array.from(y.map((_, i) => (i >= n - 2 ? 1 : 0))),
  };
}

describe('allLabelsSplit', () => {
  it('marks every labelled node for training and validation and keeps the test mask', () => {
    const d = tiny([0, 1, -1, 1, 0, 2]);
    const s = allLabelsSplit(d);
    // Labels 0 and 1 are in 0..numClasses−1 = 0..1; −1 and 2 are not labels of this 2-class set.
    expect(Array.from(s.trainMask)).toEqual([1, 1, 0, 1, 1, 0]);
    expect(Array.from(s.valMask)).toEqual([1, 1, 0, 1, 1, 0]);
    expect(s.testMask).toBe(d.testMask);
    expect(Array.from(d.trainMask)).toEqual([1, 0, 0, 0, 0, 0]); // the input is not changed
  });

  it('refuses data without a labelled node, naming the dataset', () => {
    expect(() => allLabelsSplit(tiny([-1, -1]))).toThrow(/allLabelsSplit: tiny has no labelled node/);
  });

  it('refuses labels that do not match the node count', () => {
    expect(() => allLabelsSplit({ ...tiny([0, 1]), y: Int32Array.from([0]) })).toThrow(/allLabelsSplit: data.y must be .* numNodes = 2 labels, got 1 entries/);
  });
});
