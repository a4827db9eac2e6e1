import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { finiteNumber, floatArg, rankArg, sameDevice, sameDtype, sameShape } from './checks.js';

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
 * GAT attention and aggregation in one fused native pass (docs/methods.md §2.2): for every node i,
 * α_ij = softmax over j ∈ N(i) ∪ {i} of e_ij (max-subtracted), out_i = Σ_j α_ij xs_j per head,
 * heads concatenated. `op` must be the graph's 'gin' operator (A + I). Only per-node softmax
 * statistics are kept for the backward, which recomputes α; no E×H×F tensor exists.
 * `aDst` is GATv1's target-side vector and must be null for GATv2. Pass the same tensor as xs
 * and xt for a shared projection: its two gradients are summed by autograd.
 *
 * @example
 * const xw = matmul(x, w, { transB: true });
 * const h = gatAttention(graph.operator('gin'), xw, xw, a, null, { version: 'v2' });
 */
export function gatAttention(
  op: GraphOperator, xs: Tensor, xt: Tensor, aSrc: Tensor, aDst: Tensor | null, options: GatAttentionOptions,
): Tensor {
  const name = 'gatAttention';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator('gin'))`);
  if (op.kind !== 'gin' && op.kind !== 'sum') throw new RangeError(`${name}: argument op must be the 'gin' operator (A + I) or 'sum' (A), got '${op.kind}'`);
  const version = options?.version;
  if (version !== 'v1' && version !== 'v2') throw new RangeError(`${name}: version must be 'v1' or 'v2', got ${String(version)}`);
  floatArg(name, 'xs', xs);
  floatArg(name, 'xt', xt);
  floatArg(name, 'aSrc', aSrc);
  rankArg(name, 'xs', xs, 2);
  sameShape(name, ['xs', xs], ['xt', xt]);
  sameDtype(name, ['xs', xs], ['xt', xt], ['aSrc', aSrc]);
  sameDevice(name, ['xs', xs], ['xt', xt], ['aSrc', aSrc]);
  const width = xs.shape[1];
  const heads = options.heads ?? 1;
  if (!Number.isInteger(heads) || heads < 1 || width % heads !== 0) {
    throw new RangeError(`${name}: heads must be a positive integer dividing the width of xs ${xs.describe()}, got ${heads}`);
  }
  if (aSrc.shape.length !== 1 || aSrc.shape[0] !== width) {
    throw new RangeError(`${name}: aSrc ${aSrc.describe()} must be [${width}] (heads × channels of xs ${xs.describe()})`);
  }
  if (version === 'v1') {
    if (aDst === null || aDst === undefined) throw new TypeError(`${name}: GATv1 needs aDst, a Tensor [${width}]`);
    floatArg(name, 'aDst', aDst);
    sameDtype(name, ['xs', xs], ['aDst', aDst]);
    sameDevice(name, ['xs', xs], ['aDst', aDst]);
    sameShape(name, ['aSrc', aSrc], ['aDst', aDst]);
  } else if (aDst !== null && aDst !== undefined) {
    throw new RangeError(`${name}: GATv2 has one attention vector: pass aDst = null, got ${aDst instanceof Tensor ? aDst.describe() : typeof aDst}`);
  }
  if (xs.shape[0] !== op.numNodes) throw new RangeError(`${name}: xs ${xs.describe()} must have one row per node (${op.numNodes})`);
  if (xs.device !== op.device) throw new RangeError(`${name}: xs is on ${xs.device} but the gin operator is on ${op.device}`);
  const slope = finiteNumber(name, 'negativeSlope', options.negativeSlope ?? 0.2);
  const training = options.training ?? true;
  const p = training ? finiteNumber(name, 'dropout', options.dropout ?? 0) : 0;
  if (!(p >= 0 && p < 1)) throw new RangeError(`${name}: dropout must be in [0, 1), got ${p}`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`${name}: seed must be a non-negative safe integer, got ${seed}`);

  const v = version === 'v1' ? 1 : 2;
  const dst = v === 1 ? aDst!.handle(name) : null;
  const [outH, statsH] = native().gatAttention(v, op.forward(name), xs.handle(name), xt.handle(name), aSrc.handle(name), dst, heads, slope, p, seed);
  const out = new Tensor(outH);
  const stats = new Tensor(statsH);
  const inputs = v === 1 ? [xs, xt, aSrc, aDst!] : [xs, xt, aSrc];
  record(out, name, inputs, (g) => {
    const [dxs, dxt, daSrc, daDst] = native().gatAttentionBackward(
      v, op.forward(name), op.transposed(name), xs.handle(name), xt.handle(name), aSrc.handle(name),
      v === 1 ? aDst!.handle(name) : null, heads, slope, p, seed, out.handle(name), stats.handle(name), g.handle(name), xs === xt,
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
