import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { numberArg, tensorArg, valueError } from './checks.js';

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
export function softmaxAggregate(op: GraphOperator, x: Tensor, edgeAttr: Tensor | null, t: Tensor, options: SoftmaxAggregateOptions = {}): Tensor {
  const name = 'softmaxAggregate';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator('sum'))`);
  // The operator's kind is a TypeScript notion: checked here. Every dtype, shape, device and
  // range (x's rows, t's [1], edgeAttr's [E, F], eps) is checked by the native op.
  if (op.kind !== 'sum' && op.kind !== 'gin') {
    throw valueError('RANGE', name, `argument op must be the 'sum' operator (A) or 'gin' (A + I), got '${op.kind}'`);
  }
  tensorArg(name, 'x', x);
  tensorArg(name, 't', t);
  const e = edgeAttr === null || edgeAttr === undefined ? null : tensorArg(name, 'edgeAttr', edgeAttr);
  if (e !== null && op.kind !== 'sum') {
    throw valueError('RANGE', name, `argument edgeAttr needs the 'sum' operator (one entry per edge), got '${op.kind}'`);
  }
  const eps = numberArg(name, 'eps', options?.eps ?? 1e-7);

  const b = native();
  const [outH, statsH] = b.softmaxAggregate(op.forward(name), x.handle(name), e ? e.handle(name) : null, t.handle(name), eps);
  const out = new Tensor(outH);
  const stats = new Tensor(statsH);
  record(out, name, [x, e, t], (g) => {
    const [dx, de, dt] = b.softmaxAggregateBackward(
      op.transposed(name),
      x.handle(name),
      e ? e.handle(name) : null,
      t.handle(name),
      eps,
      out.handle(name),
      stats.handle(name),
      g.handle(name),
    );
    return [new Tensor(dx), de ? new Tensor(de) : null, new Tensor(dt)];
  });
  // Without a recorded backward nothing reads the statistics again.
  if (!out.gradFn) stats.dispose();
  return out;
}
