import { FathomError } from '../errors/FathomError.js';
import { requireArrayLike } from '../errors/args.js';

/**
 * Area under the ROC curve of `scores` for the rows with mask[i] = 1, class 1 positive: the
 * probability that a random positive scores above a random negative, ties counting one half
 * (the Mann–Whitney U statistic over n₊·n₋, with tied scores given their average rank, as
 * scikit-learn's roc_auc_score and OGB's evaluator compute it). Any score that orders the
 * positive class works (a probability, a logit or a log-odds): only the ranks matter.
 *
 * @throws FathomError 'SHAPE' when the lengths differ, 'RANGE' for a label other than 0 or 1 in
 *   the mask (a multi-class task), a mask holding one class only, or a NaN score.
 * @example
 * rocAuc(new Float32Array([0.1, 0.4, 0.35, 0.8]), new Int32Array([0, 0, 1, 1]), new Uint8Array([1, 1, 1, 1])); // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, mask: ArrayLike<number>): number {
  requireArrayLike('rocAuc', 'scores', scores);
  requireArrayLike('rocAuc', 'labels', labels);
  requireArrayLike('rocAuc', 'mask', mask);
  const n = mask.length;
  if (scores.length !== n || labels.length !== n) {
    throw new FathomError(`rocAuc: scores, labels and mask must have one entry per node, got lengths ${scores.length}, ${labels.length}, ${n}`, 'SHAPE');
  }
  const rows: number[] = [];
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new FathomError(`rocAuc: ROC-AUC needs a binary task (labels 0 and 1); labels[${i}] is ${y}`, 'RANGE');
    if (Number.isNaN(scores[i])) throw new FathomError(`rocAuc: scores[${i}] is NaN`, 'RANGE');
    rows.push(i);
    positives += y;
  }
  const negatives = rows.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new FathomError(`rocAuc: the mask holds ${positives} positive and ${negatives} negative nodes; ROC-AUC needs both classes`, 'RANGE');
  }
  rows.sort((a, b) => (scores[a]! < scores[b]! ? -1 : scores[a]! > scores[b]! ? 1 : 0));
  // Sum of the positives' ranks (1-based), a run of tied scores sharing its average rank.
  let rankSum = 0;
  for (let start = 0; start < rows.length; ) {
    let end = start + 1;
    while (end < rows.length && scores[rows[end]!] === scores[rows[start]!]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) rankSum += labels[rows[k]!]! * averageRank;
    start = end;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
