import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { numberArg, tensorArg, valueError } from './checks.js';

export interface GatAttentionOptions {
  /** 'v1': e_ij = LeakyReLU(a_src·xs_j + a_dst·xt_i); 'v2': e_ij = a·LeakyReLU(xs_j + xt_i). */
  version: 'v1' | 'v2';
  /** Number of heads H; xs is [N, H·F] with head h in columns [hF, (h+1)F) (default 1). */
  heads?: number;
  /** LeakyReLU slope (default 0.2). */
  negativeSlope?: number;
  /** Attention dropout probability in [0, 1) (default 0); applied only when `training`. */
  dropout?: number;
  /** Seed of the attention-dropout mask (a pure function of seed, edge and head). */
  seed?: number;
  training?: boolean;
}

/**
 * GAT attention and aggregation in one fused native pass (docs/methods.md §2.2): for every target
 * i, α_ij = softmax over j ∈ N(i) ∪ {i} of e_ij (max-subtracted), out_i = Σ_j α_ij xs_j per head,
 * heads concatenated. `op` is a graph's 'gin' operator (A + I), or a sampled block's
 * `Block.attentionOperator` [numTargets × numSources]: xs then holds the sources and xt the
 * targets (numTargets rows, or every source row with the targets first), and the output has one
 * row per target. Only per-target softmax statistics are kept for the backward, which
 * recomputes α; no E×H×F tensor exists.
 * `aDst` is GATv1's target-side vector and must be null for GATv2. Pass the same tensor as xs
 * and xt for a shared projection: its two gradients are summed by autograd.
 * Bad shapes, dtypes, devices and option values throw FathomError SHAPE, TYPE, DEVICE or RANGE.
 *
 * @example
 * const xw = matmul(x, w, { transB: true });
 * const h = gatAttention(graph.operator('gin'), xw, xw, a, null, { version: 'v2' });
 */
export function gatAttention(op: GraphOperator, xs: Tensor, xt: Tensor, aSrc: Tensor, aDst: Tensor | null, options: GatAttentionOptions): Tensor {
  const name = 'gatAttention';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator('gin'))`);
  // The native op sees a square CSR, not which operator it is, nor the version's name.
  if (op.kind !== 'gin' && op.kind !== 'sum') {
    throw valueError('RANGE', name, `argument op must be the 'gin' operator (A + I) or 'sum' (A), got '${op.kind}'`);
  }
  const version = options?.version;
  if (version !== 'v1' && version !== 'v2') throw valueError('RANGE', name, `argument version must be 'v1' or 'v2', got ${String(version)}`);
  tensorArg(name, 'xs', xs);
  tensorArg(name, 'xt', xt);
  tensorArg(name, 'aSrc', aSrc);
  if (aDst !== null && aDst !== undefined) tensorArg(name, 'aDst', aDst);
  else if (version === 'v1') throw new TypeError(`${name}: GATv1 needs aDst, a Tensor [${xs.shape[1]}]`);
  // Shapes, dtypes, devices, heads (an integer ≥ 1 dividing the width), a finite negativeSlope,
  // the attention dropout in [0, 1) and the seed are the native op's to check: it is the one
  // place the attention-dropout range is checked at op level.
  const heads = numberArg(name, 'heads', options.heads ?? 1);
  const slope = numberArg(name, 'negativeSlope', options.negativeSlope ?? 0.2);
  const training = options.training ?? true;
  const p = training ? numberArg(name, 'dropout', options.dropout ?? 0) : 0;
  const seed = numberArg(name, 'seed', options.seed ?? 0);

  const v = version === 'v1' ? 1 : 2;
  // aDst goes to native for GATv2 too, which rejects it there.
  const dst = aDst ? aDst.handle(name) : null;
  const [outH, statsH] = native().gatAttention(v, op.forward(name), xs.handle(name), xt.handle(name), aSrc.handle(name), dst, heads, slope, p, seed);
  const out = new Tensor(outH);
  const stats = new Tensor(statsH);
  const inputs = v === 1 ? [xs, xt, aSrc, aDst!] : [xs, xt, aSrc];
  record(out, name, inputs, (g) => {
    const [dxs, dxt, daSrc, daDst] = native().gatAttentionBackward(
      v,
      op.forward(name),
      op.transposed(name),
      xs.handle(name),
      xt.handle(name),
      aSrc.handle(name),
      v === 1 ? aDst!.handle(name) : null,
      heads,
      slope,
      p,
      seed,
      out.handle(name),
      stats.handle(name),
      g.handle(name),
      xs === xt,
    );
    // One tensor as xs and xt: its gradient comes back whole, in the first slot.
    const grads = [new Tensor(dxs), dxt ? new Tensor(dxt) : null, new Tensor(daSrc)];
    if (daDst) grads.push(new Tensor(daDst));
    return grads;
  });
  // Without a recorded backward nothing reads the statistics again.
  if (!out.gradFn) stats.dispose();
  return out;
}
