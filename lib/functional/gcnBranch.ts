import { isGradEnabled } from '../autograd/gradMode.js';
import { matmul } from './matmul.js';
import { propagate } from './propagate.js';
import { relu } from './relu.js';
import { reluDropout } from './reluDropout.js';
import { dropout } from './dropout.js';
import type { GraphOperator } from '../graph/GraphOperator.js';
import type { Tensor } from '../tensor/Tensor.js';

export interface GcnBranchOptions {
  /** Residual operator weight t of P_t = (1−t)I + tP (default 1). */
  t?: number;
  /** Apply ReLU first (default true; a res+ branch has already applied it). */
  relu?: boolean;
  /**
   * Factor applied to the branch (default 1), folded into the aggregation's coefficients: the
   * residual combination then needs no separate scaling pass forward or backward.
   */
  scale?: number;
  /** Dropout after the ReLU: probability and a seed (replayable). */
  dropout?: { p: number; seed: number; training: boolean };
}

/**
 * The residual branch of docs/methods.md §2.1: P_t ReLU(Z) Wᵀ (W out×in), with optional dropout
 * after the ReLU. The weight is applied before the operator (P_t(HWᵀ) = (P_tH)Wᵀ, and the branch
 * is square, so either side costs the same).
 *
 * @example
 * const b = gcnBranch(z, w, graph.operator('gcn'), { t: 1 });
 */
export function gcnBranch(z: Tensor, w: Tensor, op: GraphOperator, options: GcnBranchOptions = {}): Tensor {
  const t = options.t ?? 1;
  const drop = options.dropout;
  let h: Tensor;
  if (!drop) {
    h = options.relu === false ? z : relu(z);
  } else {
    const how = { seed: drop.seed, training: drop.training };
    h = options.relu === false ? dropout(z, drop.p, how) : reluDropout(z, drop.p, how);
  }
  const hw = matmul(h, w, { transB: true });
  // Without a graph (evaluation, a checkpointed segment's first pass) nothing reads h again: an
  // evaluation pass then holds one block's activations at a time, not one per block.
  if (!isGradEnabled() && h !== z) h.releaseData();
  const c = options.scale ?? 1;
  const out = propagate(op, hw, { alpha: c * t, selfScale: c * (1 - t) });
  // propagate's backward reads only the operator: hw's values are dead from here on.
  hw.releaseData();
  return out;
}
