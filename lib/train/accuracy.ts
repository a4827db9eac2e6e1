import { requireArrayLike } from '../errors/args.js';

/**
 * Fraction of rows with mask[i] = 1 whose prediction equals the label (0 when the mask is empty).
 *
 * @example
 * accuracy(new Int32Array([1, 0]), new Int32Array([1, 1]), new Uint8Array([1, 1]));  // 0.5
 */
export function accuracy(predictions: Int32Array, labels: Int32Array, mask: Uint8Array): number {
  requireArrayLike('accuracy', 'predictions', predictions);
  requireArrayLike('accuracy', 'labels', labels);
  requireArrayLike('accuracy', 'mask', mask);
  let hit = 0;
  let total = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      total++;
      if (predictions[i] === labels[i]) hit++;
    }
  }
  return total === 0 ? 0 : hit / total;
}
