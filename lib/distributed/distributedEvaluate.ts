import { noGrad } from '../autograd/gradMode.js';
import { tidy } from '../autograd/scope.js';
import type { NodeData } from '../data/NodeData.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import type { NodeModel } from '../models/NodeModel.js';
import type { RngState } from '../random/rng.js';
import type { NeighborSampler } from '../sampling/NeighborSampler.js';
import { Tensor } from '../tensor/Tensor.js';
import type { BatchFeatures } from '../train/batchFeatures.js';
import type { FitMetric, Metrics } from '../train/evaluate.js';
import { rocAuc } from '../train/rocAuc.js';
import { allReduce } from './collectives.js';
import type { DistributedFeatures } from './DistributedFeatures.js';
import type { DistributedWorld } from './runtime.js';
import { shareOf } from './shareOf.js';

/** What distributedEvaluate() runs on: the store, a sampler of full neighbourhoods (fanout -1 per layer), the batch inputs. */
export interface EvaluationParts {
  store: DistributedFeatures;
  sampler: NeighborSampler;
  inputs: BatchFeatures;
  batchSize: number;
  /** With 'roc-auc', also every split's ROC-AUC (the scores of all ranks' nodes are summed into one array first). */
  metric?: FitMetric;
}

const NO_NODES = new Int32Array(0);
// [train hits, train nodes, val hits, val nodes, test hits, test nodes, val loss sum]
const SLOTS = 7;

/**
 * evaluate()'s metrics with partitioned features, every rank doing a share and none holding all
 * features: the train, validation and test nodes are split into contiguous shares (shareOf), each
 * rank runs its own in batches of full-neighbourhood blocks (fanout -1 over every layer, which
 * give the full-batch logits up to the order of sums), their input rows gathered through the
 * store, and the hit counts and the validation loss sum are all-reduced. A collective: every rank
 * runs the same number of batches (those past their share gather nothing) and returns the same
 * metrics.
 */
export async function distributedEvaluate(model: NodeModel, data: NodeData, world: DistributedWorld, parts: EvaluationParts): Promise<Metrics> {
  const { train, val, test } = data.masks;
  const nodes: number[] = [];
  for (let v = 0; v < train.length; v++) if (train[v] || val[v] || test[v]) nodes.push(v);
  const [lo, hi] = shareOf(nodes.length, world.rank, world.worldSize);
  // The largest share is rank 0's: it sets how many exchanges every rank joins.
  const [, first] = shareOf(nodes.length, 0, world.worldSize);
  const batches = Math.ceil(first / parts.batchSize);
  const sums = new Float64Array(SLOTS);
  // ROC-AUC ranks every node of a split against the others, so it needs all scores: each rank
  // writes its nodes' log-odds of class 1 at their ids (zeros elsewhere) and a sum joins them.
  const scores = parts.metric === 'roc-auc' ? new Float64Array(data.labels.length) : null;
  // A forward draws from the dropout stream even in eval mode; one full-batch evaluation draws
  // once per layer. The stream is left as after the first batch, as one forward leaves it, so
  // that training goes on as after evaluate() (rank 0 then sends its stream to the others).
  let afterOne: RngState | undefined;
  const wasTraining = model.training;
  model.eval();
  try {
    for (let b = 0; b < batches; b++) {
      const from = Math.min(hi, lo + b * parts.batchSize);
      const seeds = Int32Array.from(nodes.slice(from, Math.min(hi, from + parts.batchSize)));
      using batch = seeds.length > 0 ? parts.sampler.sample(seeds, { seed: 0 }) : null;
      const rows = parts.store.gather(batch?.nodeIds ?? NO_NODES);
      if (!batch) {
        rows.dispose();
        continue;
      }
      const x = parts.inputs.asInput(rows);
      try {
        const logp = noGrad(() => tidy(() => logSoftmax(model.forwardBlocks(x, batch.blocks)).toArray()));
        afterOne ??= model.rngState;
        tally(sums, logp, seeds, data);
        if (scores) seeds.forEach((v, i) => (scores[v] = logp[2 * i + 1]! - logp[2 * i]!));
      } finally {
        x.dispose();
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    model.train(wasTraining);
    if (afterOne) model.setRngState(afterOne);
  }
  using total = allReduce(Tensor.from(sums), { op: 'sum' });
  const s = total.toArray() as Float64Array;
  const ratio = (hits: number, count: number) => (count === 0 ? 0 : hits / count);
  const metrics: Metrics = {
    trainAcc: ratio(s[0]!, s[1]!),
    valAcc: ratio(s[2]!, s[3]!),
    testAcc: ratio(s[4]!, s[5]!),
    valLoss: s[3]! === 0 ? Number.NaN : s[6]! / s[3]!,
  };
  if (!scores) return metrics;
  using all = allReduce(Tensor.from(scores), { op: 'sum' });
  const joined = all.toArray() as Float64Array;
  return { ...metrics, trainAuc: rocAuc(joined, data.labels, train), valAuc: rocAuc(joined, data.labels, val), testAuc: rocAuc(joined, data.labels, test) };
}

/** Adds the seeds' hits per split and their validation loss (-log p of the label) to `sums`. */
function tally(sums: Float64Array, logp: ArrayLike<number>, seeds: Int32Array, data: NodeData): void {
  const C = logp.length / seeds.length;
  const { train, val, test } = data.masks;
  seeds.forEach((v, i) => {
    let best = 0;
    for (let c = 1; c < C; c++) if (logp[i * C + c]! > logp[i * C + best]!) best = c;
    const hit = best === data.labels[v] ? 1 : 0;
    if (train[v]) {
      sums[0]! += hit;
      sums[1]!++;
    }
    if (val[v]) {
      sums[2]! += hit;
      sums[3]!++;
      sums[6]! -= logp[i * C + data.labels[v]!]!;
    }
    if (test[v]) {
      sums[4]! += hit;
      sums[5]!++;
    }
  });
}
