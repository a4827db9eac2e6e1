import { requireObject } from '../errors/args.js';
import { FathomError } from '../errors/FathomError.js';
import type { GraphData } from './types.js';

/**
 * The dataset with its train and validation masks replaced by every labelled node (label in
 * 0..numClasses−1); the test mask is kept. A fitting test, not a generalization protocol: the
 * loss, the reported training accuracy and early stopping (which watches the validation mask)
 * then all run over every labelled node, which asks whether a model can fit the labels at all.
 *
 * @example
 * const fitting = allLabelsSplit(loadDataset('cora', { normalizeFeatures: true }));
 * await fit(model, NodeData.from(fitting), { epochs: 500, patience: 0 });
 */
export function allLabelsSplit<T extends GraphData>(data: T): T {
  requireObject('allLabelsSplit', 'data', data);
  const { y, numNodes, numClasses } = data;
  if (!(y instanceof Int32Array) || y.length !== numNodes) {
    throw new FathomError(`allLabelsSplit: data.y must be an Int32Array of numNodes = ${numNodes} labels, got ${y?.length ?? typeof y} entries`, 'SHAPE');
  }
  const mask = new Uint8Array(numNodes);
  let count = 0;
  for (let i = 0; i < numNodes; i++) {
    if (y[i]! >= 0 && y[i]! < numClasses) {
      mask[i] = 1;
      count++;
    }
  }
  if (count === 0) throw new FathomError(`allLabelsSplit: ${data.name} has no labelled node (no label in 0..${numClasses - 1})`, 'RANGE');
  return { ...data, trainMask: mask, valMask: mask.slice() };
}
