import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import { Tensor } from '../tensor/Tensor.js';
import { requireObject } from '../errors/args.js';
import { numberArg, tensorArg } from './checks.js';

export interface LayerNormOptions {
  /** Added to the variance under the square root; finite and > 0 (default 1e-5, as PyTorch). */
  eps?: number;
}

function affineArg(op: string, name: string, t: unknown): Tensor | null {
  return t === null || t === undefined ? null : tensorArg(op, name, t);
}

/**
 * Layer normalization over the last dimension of x [N, F]: every row is normalized on its own,
 * y = (x − mean_row) / sqrt(var_row + eps) ⊙ weight + bias, with the biased variance (PyTorch's
 * `F.layer_norm(x, [F], weight, bias, eps)`). weight and bias are [F] tensors of x's dtype and
 * device, or null (1 and 0). One native pass per row in double saves the row means and rstd;
 * the backward gives dx, dweight and dbias in one pass, reducing the parameter gradients over
 * rows in a fixed order (deterministic).
 *
 * @example
 * const h = layerNorm(x, gamma, beta);                  // affine
 * const z = layerNorm(x, null, null, { eps: 1e-6 });    // plain standardization of each row
 */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, options: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  // Types here; dtypes, shapes, devices and the range of eps are checked by the native op.
  tensorArg(op, 'x', x);
  const w = affineArg(op, 'weight', weight);
  const b = affineArg(op, 'bias', bias);
  requireObject(op, 'options', options);
  const eps = numberArg(op, 'eps', options.eps ?? 1e-5);

  const [outH, statsH] = native().layerNorm(x.handle(op), w?.handle(op) ?? null, b?.handle(op) ?? null, eps);
  const out = new Tensor(outH);
  const stats = new Tensor(statsH);
  record(out, op, [x, w, b], (g) => {
    const [dx, dw, db] = native().layerNormBackward(
      g.handle(op),
      x.handle(op),
      w?.handle(op) ?? null,
      stats.handle(op),
      x.requiresGrad,
      w?.requiresGrad ?? false,
      b?.requiresGrad ?? false,
    );
    return [dx ? new Tensor(dx) : null, dw ? new Tensor(dw) : null, db ? new Tensor(db) : null];
  });
  // Without a recorded backward nothing reads the row statistics again.
  if (!out.gradFn) stats.dispose();
  return out;
}
