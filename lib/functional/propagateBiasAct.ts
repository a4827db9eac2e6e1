import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { GraphOperator } from '../graph/GraphOperator.js';
import { Tensor } from '../tensor/Tensor.js';
import { numberArg, tensorArg, valueError } from './checks.js';

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
 * The native op checks x and the bias against the operator and each other, and the coefficients.
 *
 * @example
 * const h = propagateBiasAct(graph.operator('gcn'), xw, { bias: conv.bias, activation: 'relu' });
 */
export function propagateBiasAct(op: GraphOperator, x: Tensor, options: PropagateBiasActOptions = {}): Tensor {
  const name = 'propagateBiasAct';
  if (!(op instanceof GraphOperator)) throw new TypeError(`${name}: argument op must be a GraphOperator (graph.operator(kind))`);
  tensorArg(name, 'x', x);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${name}: argument options must be an object`);
  const alpha = numberArg(name, 'alpha', options.alpha ?? 1);
  const selfScale = numberArg(name, 'selfScale', options.selfScale ?? 0);
  const activation = options.activation ?? 'none';
  // Native receives a boolean: the option's value can only be checked here.
  if (activation !== 'none' && activation !== 'relu') {
    throw valueError('RANGE', name, `argument activation must be 'none' or 'relu', got ${String(activation)}`);
  }
  const bias = options.bias ?? null;
  if (bias !== null) tensorArg(name, 'bias', bias);
  const relu = activation === 'relu';
  const out = new Tensor(native().propagateBiasAct(op.forward(name), x.handle(name), bias?.handle(name) ?? null, alpha, selfScale, relu));
  return record(out, name, [x, bias], (g) => {
    const [dx, dbias] = native().propagateBiasActBackward(
      op.transposed(name),
      g.handle(name),
      out.handle(name),
      alpha,
      selfScale,
      relu,
      x.requiresGrad,
      bias?.requiresGrad ?? false,
    );
    return [dx ? new Tensor(dx) : null, dbias ? new Tensor(dbias) : null];
  });
}
