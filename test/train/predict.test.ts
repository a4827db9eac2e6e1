// model.predict(), model.embed() and argmax(): predictions from the weights fit() reports
// (restoreBest), probabilities against a plain-TypeScript softmax, node selection and its errors.
import { describe, expect, it } from 'vitest';

import { loadDataset } from '../../lib/data/loadDataset.js';
import { argmax, FathomError, fit, GCN, NodeData, NodeModel, Parameter, type Tensor } from '../../lib/index.js';
import { expectFathom, expectThrows, liveCpu, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';

const cora = loadDataset('cora', { normalizeFeatures: true });

/** Accuracy of predict() on the test nodes, counted here from its classes. */
function predictedTestAcc(model: GCN, data: NodeData): number {
  const p = model.predict(data.features, data.graph, { nodes: data.masks.test });
  let hits = 0;
  p.nodes.forEach((node, i) => {
    if (p.classes[i] === data.labels[node]) hits++;
  });
  return hits / p.nodes.length;
}

describe('predict after fit on Cora', () => {
  // A short run whose best epoch is not its last: with the last weights predict() would report
  // another accuracy than the summary (80.6% against 82.8% before restoreBest existed).
  const run = async (restoreBest?: boolean) => {
    using data = NodeData.from(cora);
    using model = new GCN({ inChannels: cora.numFeatures, hiddenChannels: 64, outChannels: cora.numClasses, seed: 0 });
    const result = await fit(model, data, { epochs: 60, lr: 0.01, weightDecay: 5e-4, patience: 0, restoreBest });
    return { result, acc: predictedTestAcc(model, data) };
  };

  it('gives exactly the test accuracy of the best epoch fit() reports (restoreBest by default)', async () => {
    const { result, acc } = await run();
    expect(result.bestEpoch).toBeLessThan(60); // else the test could not tell best from last
    expect(result.best.testAcc).not.toBe(result.last.testAcc);
    expect(acc).toBe(result.best.testAcc);
  });

  it('gives the last epoch test accuracy with restoreBest: false', async () => {
    const { result, acc } = await run(false);
    expect(acc).toBe(result.last.testAcc);
  });
});

describe('model.predict', () => {
  it('returns softmax probabilities that match a float64 softmax of the logits, rows summing to 1', () => {
    using data = smallNodeData();
    using model = smallGcn(data, { seed: 4 });
    model.eval();
    const logits = model.forward(data.features, data.graph);
    const z = logits.toArray();
    logits.dispose();
    model.train();
    const p = model.predict(data.features, data.graph);
    const c = data.numClasses;
    expect(p.numClasses).toBe(c);
    expect(p.probabilities.length).toBe(data.labels.length * c);
    expect([...p.nodes]).toEqual(Array.from({ length: data.labels.length }, (_, i) => i));
    for (let i = 0; i < p.nodes.length; i++) {
      const row = Array.from({ length: c }, (_, j) => z[i * c + j]!);
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      let sum = 0;
      for (let j = 0; j < c; j++) {
        // f32 log-softmax then exp: a few float32 ulps of the value.
        expect(Math.abs(p.probabilities[i * c + j]! - e[j]! / s)).toBeLessThan(1e-6);
        sum += p.probabilities[i * c + j]!;
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      expect(p.classes[i]).toBe(row.indexOf(m));
    }
  });

  it('selects rows by index list (in the order given) or by mask, and leaves no tensor behind', () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    const all = model.predict(data.features, data.graph);
    const base = liveCpu();
    const c = data.numClasses;
    const picked = model.predict(data.features, data.graph, { nodes: [5, 0, 17] });
    expect([...picked.nodes]).toEqual([5, 0, 17]);
    [5, 0, 17].forEach((node, i) => {
      expect(picked.classes[i]).toBe(all.classes[node]);
      expect([...picked.probabilities.subarray(i * c, (i + 1) * c)]).toEqual([...all.probabilities.subarray(node * c, (node + 1) * c)]);
    });
    const masked = model.predict(data.features, data.graph, { nodes: data.masks.val });
    const expected = [...data.masks.val].flatMap((m, i) => (m ? [i] : []));
    expect([...masked.nodes]).toEqual(expected);
    const bools = model.predict(data.features, data.graph, { nodes: [...data.masks.val].map(Boolean) });
    expect([...bools.nodes]).toEqual(expected);
    expect(liveCpu()).toEqual(base);
  });

  it('changes nothing of training: the same predictions twice, the mode and the dropout stream kept', () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    const rng = model.rngState;
    const a = model.predict(data.features, data.graph);
    const b = model.predict(data.features, data.graph);
    expect(b.probabilities).toEqual(a.probabilities);
    expect(model.training).toBe(true);
    expect(model.rngState).toEqual(rng);
  });

  it('rejects bad node selections with a FathomError naming the argument', () => {
    using data = smallNodeData();
    using model = smallGcn(data);
    const n = data.labels.length;
    const predict = (nodes: unknown) => () => model.predict(data.features, data.graph, { nodes: nodes as number[] });
    expectFathom(predict([0, n]), 'RANGE', 'predict', `nodes[1] = ${n}`, `[0, ${n})`);
    expectFathom(predict([-1]), 'RANGE', 'nodes[0] = -1');
    expectFathom(predict([1.5]), 'RANGE', 'nodes[0] = 1.5');
    expectFathom(predict(new Uint8Array(n - 1)), 'SHAPE', 'argument nodes is a mask of length', `${n} nodes`);
    expectFathom(predict(new Uint8Array(n).fill(2)), 'RANGE', 'nodes[0] = 2', 'mask');
    expectThrows(predict('test'), TypeError, 'predict', 'argument nodes');
  });
});

describe('model.embed', () => {
  it('returns the last hidden layer, the input width of the classifier', () => {
    using data = smallNodeData();
    using model = smallGcn(data, { hidden: 12 });
    using h = model.embed(data.features, data.graph);
    expect(h.shape).toEqual([data.labels.length, 12]);
    model.eval();
    const { features, logits } = model.forwardFeatures(data.features, data.graph);
    expect(h.toArray()).toEqual(features[0]!.toArray());
    for (const f of features) f.dispose();
    logits.dispose();
  });

  it('refuses a model with no hidden layer', () => {
    using data = smallNodeData();
    using model = new GCN({ inChannels: data.numFeatures, hiddenChannels: 8, outChannels: data.numClasses, numLayers: 1, seed: 0 });
    expectFathom(() => model.embed(data.features, data.graph), 'SHAPE', 'embed', 'no hidden layer');
  });

  it('says so for a model without per-layer features', () => {
    class Plain extends NodeModel {
      readonly name = 'plain';
      readonly w = this.registerParameter('w', Parameter.fromValues([1], [1]));
      override forward(x: Tensor): Tensor {
        return x;
      }
    }
    using data = smallNodeData();
    using plain = new Plain();
    expectThrows(() => plain.embed(data.features, data.graph), TypeError, 'plain.embed', 'forwardFeatures');
  });
});

describe('argmax', () => {
  it('picks the first of equal values and counts NaN as the largest, on arrays and tensors alike', () => {
    // Hand-counted rows: a clear max, a tie (first wins), a NaN after a larger value, all equal.
    const values = new Float32Array([0.1, 0.7, 0.2, 0.5, 0.5, 0, 9, Number.NaN, 1, -1, -1, -1]);
    expect([...argmax(values, 3)]).toEqual([1, 0, 1, 0]);
    expect([...argmax(Array.from(values), 3)]).toEqual([1, 0, 1, 0]);
    using data = smallNodeData();
    using model = smallGcn(data);
    const p = model.predict(data.features, data.graph);
    expect([...argmax(p.probabilities, p.numClasses)].filter((k, i) => k !== p.classes[i]).length).toBe(0);
  });

  it('rejects a shape it cannot split into rows', () => {
    expectFathom(() => argmax(new Float32Array(5), 2), 'SHAPE', 'argmax', '5 elements');
    expectFathom(() => argmax(new Float32Array(4)), 'RANGE', 'argmax', 'numColumns');
    expect(() => argmax(new Float32Array(4), 2)).not.toThrow(FathomError);
  });
});
