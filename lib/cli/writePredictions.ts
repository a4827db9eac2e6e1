import { encodeNpy } from '../io/encodeNpy.js';
import type { Predictions } from '../models/predict.js';

/** A float32 value in the fewest digits that read back to the same float32 (at most 9). */
function f32(v: number): string {
  return String(Number(v.toPrecision(9)));
}

/**
 * Predictions as CSV: a header `node,class,p_0,…,p_{C-1}`, then one row per node with its
 * probabilities in the fewest digits that read back to the same float32.
 *
 * @example
 * process.stdout.write(predictionsCsv(model.predict(data.features, data.graph)));
 */
export function predictionsCsv(p: Predictions): string {
  const c = p.numClasses;
  const lines = [['node', 'class', ...Array.from({ length: c }, (_, j) => `p_${j}`)].join(',')];
  p.nodes.forEach((node, i) => {
    const row = [String(node), String(p.classes[i])];
    for (let j = 0; j < c; j++) row.push(f32(p.probabilities[i * c + j]!));
    lines.push(row.join(','));
  });
  return `${lines.join('\n')}\n`;
}

/**
 * Predictions as a NumPy `.npy` file: the float32 probabilities [nodes, classes], one row per
 * node in the order of `p.nodes` (ascending node index for a split); classes are their argmax.
 */
export function predictionsNpy(p: Predictions): Uint8Array {
  return encodeNpy(p.probabilities, [p.nodes.length, p.numClasses]);
}
