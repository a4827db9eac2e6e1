import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { numberArg, tensorArg, valueError } from './checks.js';

export interface PowerAggregateOptions {
  /** Added to every message after the ReLU, so messages are positive; must be > 0 (default 1e-7). */
  eps?: number;
}

/**
 * GENConv's power-mean aggregation (DeeperGCN's PowerMean, PyG's `aggr='powermean'`) in one
 * fused native pass. With messages m_ij = ReLU(x_j + e_ji) + eps for every edge j → i, per
 * channel f:
 *
 *   out[i, f] = ((1/deg_i) Σ_j m_ij[f]^p)^(1/p)
 *
 * (a node without in-edges gets 0). `p` [1] is the learnable power: p = 1 gives the mean of the
 * messages, p → ∞ their maximum; p = 0 gives non-finite values. `op` is the graph's 'sum'
 * operator (A: the in-edges) or 'gin' (A + I: each node's own message joins its neighbourhood).
 * `edgeAttr` [E, F] holds one row per edge in edgeIndex order (only with 'sum'), or is null.
 * Only per-(node, channel) statistics are kept for the backward; no E×F tensor is created.
 *
 * @example
 * const p = Parameter.fromValues([1], [1]);  // learnable power, from the mean
 * const h = powerAggregate(graph.operator('sum'), x, null, p);
 */
export function powerAggregate(op: GraphOperator, x: Tensor, edgeAttr: Tensor | null, p: Tensor, options: PowerAggregateOptions = {}): Tensor {
  const name = 'powerAggregate';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator('sum'))`);
  // The operator's kind is a TypeScript notion: checked here. Every dtype, shape, device and
  // range (x's rows, p's [1], edgeAttr's [E, F], eps > 0) is checked by the native op.
  if (op.kind !== 'sum' && op.kind !== 'gin') {
    throw valueError('RANGE', name, `argument op must be the 'sum' operator (A) or 'gin' (A + I), got '${op.kind}'`);
  }
  tensorArg(name, 'x', x);
  tensorArg(name, 'p', p);
  const e = edgeAttr === null || edgeAttr === undefined ? null : tensorArg(name, 'edgeAttr', edgeAttr);
  if (e !== null && op.kind !== 'sum') {
    throw valueError('RANGE', name, `argument edgeAttr needs the 'sum' operator (one entry per edge), got '${op.kind}'`);
  }
  const eps = numberArg(name, 'eps', options?.eps ?? 1e-7);

  const b = native();
  const [outH, statsH] = b.powerAggregate(op.forward(name), x.handle(name), e ? e.handle(name) : null, p.handle(name), eps);
  const out = new Tensor(outH);
  const stats = new Tensor(statsH);
  record(out, name, [x, e, p], (g) => {
    const [dx, de, dp] = b.powerAggregateBackward(
      op.transposed(name),
      x.handle(name),
      e ? e.handle(name) : null,
      p.handle(name),
      eps,
      out.handle(name),
      stats.handle(name),
      g.handle(name),
    );
    return [new Tensor(dx), de ? new Tensor(de) : null, new Tensor(dp)];
  });
  // Without a recorded backward nothing reads the statistics again.
  if (!out.gradFn) stats.dispose();
  return out;
}
