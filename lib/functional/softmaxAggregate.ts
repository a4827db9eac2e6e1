import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { finiteNumber, floatArg, rankArg, sameDevice, sameDtype } from './checks.js';

export interface SoftmaxAggregateOptions {
  /** Added to every message after the ReLU, so messages are positive (default 1e-7). */
  eps?: number;
}

/**
 * GENConv's softmax aggregation (DeeperGCN) in one fused native pass. With messages
 * m_ij = ReLU(x_j + e_ji) + eps for every edge j → i, per channel f:
 *
 *   out[i, f] = Σ_j softmax_j(t · m_ij[f]) · m_ij[f]
 *
 * (max-subtracted; a node without in-edges gets 0). `t` [1] is the learnable inverse
 * temperature: t = 0 gives the mean of the messages, t → ∞ their maximum, t → −∞ their minimum.
 * `op` is the graph's 'sum' operator (A: the in-edges), or 'gin' (A + I: each node's own
 * message, with no edge term, joins its neighbourhood). `edgeAttr` [E, F] holds one row per edge
 * in edgeIndex order (only with 'sum'), or is null. Only per-(node, channel) softmax statistics
 * are kept for the backward, which recomputes the weights; no E×F tensor is created.
 *
 * @example
 * const t = Parameter.fromValues([1], [1]);  // learnable inverse temperature
 * const h = softmaxAggregate(graph.operator('sum'), x, edgeAttr, t);
 */
export function softmaxAggregate(
  op: GraphOperator, x: Tensor, edgeAttr: Tensor | null, t: Tensor, options: SoftmaxAggregateOptions = {},
): Tensor {
  const name = 'softmaxAggregate';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator('sum'))`);
  if (op.kind !== 'sum' && op.kind !== 'gin') {
    throw new RangeError(`${name}: argument op must be the 'sum' operator (A) or 'gin' (A + I), got '${op.kind}'`);
  }
  floatArg(name, 'x', x);
  rankArg(name, 'x', x, 2);
  floatArg(name, 't', t);
  const e = edgeAttr ?? null;
  if (e !== null) {
    floatArg(name, 'edgeAttr', e);
    rankArg(name, 'edgeAttr', e, 2);
    sameDtype(name, ['x', x], ['edgeAttr', e], ['t', t]);
    sameDevice(name, ['x', x], ['edgeAttr', e], ['t', t]);
  } else {
    sameDtype(name, ['x', x], ['t', t]);
    sameDevice(name, ['x', x], ['t', t]);
  }
  if (t.shape.length !== 1 || t.shape[0] !== 1) throw new RangeError(`${name}: argument t must be [1] (one inverse temperature), got ${t.describe()}`);
  if (x.shape[0] !== op.numNodes) throw new RangeError(`${name}: argument x ${x.describe()} must have one row per node (${op.numNodes})`);
  if (x.device !== op.device) throw new RangeError(`${name}: argument x is on ${x.device} but the ${op.kind} operator is on ${op.device}`);
  if (e !== null) {
    if (op.kind !== 'sum') {
      throw new RangeError(`${name}: argument edgeAttr needs the 'sum' operator (one entry per edge), got '${op.kind}'`);
    }
    const edges = op.nnz;
    if (e.shape[0] !== edges || e.shape[1] !== x.shape[1]) {
      throw new RangeError(`${name}: argument edgeAttr ${e.describe()} must be [${edges}, ${x.shape[1]}] (one row per edge, the channels of x ${x.describe()})`);
    }
  }
  const eps = finiteNumber(name, 'eps', options?.eps ?? 1e-7);

  const b = native();
  const [outH, statsH] = b.softmaxAggregate(op.forward(name), x.handle(name), e ? e.handle(name) : null, t.handle(name), eps);
  const out = new Tensor(outH);
  const stats = new Tensor(statsH);
  record(out, name, [x, e, t], (g) => {
    const [dx, de, dt] = b.softmaxAggregateBackward(
      op.transposed(name), x.handle(name), e ? e.handle(name) : null, t.handle(name), eps,
      out.handle(name), stats.handle(name), g.handle(name),
    );
    return [new Tensor(dx), de ? new Tensor(de) : null, new Tensor(dt)];
  });
  // Without a recorded backward nothing reads the statistics again.
  if (!out.gradFn) stats.dispose();
  return out;
}
