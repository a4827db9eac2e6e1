import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { finiteNumber, floatArg, rankArg } from './checks.js';

/** The activation {@link propagateBiasAct} applies after the bias. */
export type FusedActivation = 'none' | 'relu';

export interface PropagateBiasActOptions {
  /** Scale of P·x (default 1). */
  alpha?: number;
  /** Scale of the self term x (default 0; nonzero needs a square operator). */
  selfScale?: number;
  /** Bias [F] added to every row (default none). */
  bias?: Tensor | null;
  /** Applied last (default 'none'). */
  activation?: FusedActivation;
}

/**
 * A graph convolution's aggregation, bias and activation in one native pass:
 * act(alpha·P·x + selfScale·x + bias). The bias and activation are applied to each output row
 * as it is computed, so the result equals `relu(biasAdd(propagate(op, x, …), bias))` to the
 * bit while writing one [N, F] tensor instead of three. The backward keeps only the output:
 * g' = g ⊙ [y > 0] (ReLU), grad bias = column sums of g', grad x = alpha·Pᵀg' + selfScale·g'.
 *
 * @example
 * const h = propagateBiasAct(graph.operator('gcn'), xw, { bias: conv.bias, activation: 'relu' });
 */
export function propagateBiasAct(op: GraphOperator, x: Tensor, options: PropagateBiasActOptions = {}): Tensor {
  const name = 'propagateBiasAct';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator(kind))`);
  floatArg(name, 'x', x);
  rankArg(name, 'x', x, 2);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${name}: argument options must be an object`);
  const alpha = finiteNumber(name, 'alpha', options.alpha ?? 1);
  const selfScale = finiteNumber(name, 'selfScale', options.selfScale ?? 0);
  const activation = options.activation ?? 'none';
  if (activation !== 'none' && activation !== 'relu') {
    throw new TypeError(`${name}: argument activation must be 'none' or 'relu', got ${String(activation)}`);
  }
  if (x.shape[0] !== op.numNodes) {
    throw new RangeError(`${name}: x ${x.describe()} must have one row per node (${op.numNodes})`);
  }
  if (x.dtype !== op.dtype) throw new TypeError(`${name}: x is ${x.describe()} but the ${op.kind} operator is ${op.dtype}`);
  if (x.device !== op.device) throw new RangeError(`${name}: x is on ${x.device} but the ${op.kind} operator is on ${op.device}`);
  const bias = options.bias ?? null;
  if (bias !== null) {
    floatArg(name, 'bias', bias);
    if (bias.shape.length !== 1 || bias.shape[0] !== x.shape[1]) {
      throw new RangeError(`${name}: bias ${bias.describe()} does not match the columns of x ${x.describe()}`);
    }
    if (bias.dtype !== x.dtype) throw new TypeError(`${name}: bias is ${bias.describe()} but x is ${x.describe()}`);
    if (bias.device !== x.device) throw new RangeError(`${name}: bias is on ${bias.device} but x is on ${x.device}`);
  }
  const relu = activation === 'relu';
  const out = new Tensor(
    native().propagateBiasAct(op.forward(name), x.handle(name), bias?.handle(name) ?? null, alpha, selfScale, relu),
  );
  return record(out, name, [x, bias], (g) => {
    const [dx, dbias] = native().propagateBiasActBackward(
      op.transposed(name), g.handle(name), out.handle(name), alpha, selfScale, relu, x.requiresGrad, bias?.requiresGrad ?? false,
    );
    return [dx ? new Tensor(dx) : null, dbias ? new Tensor(dbias) : null];
  });
}
