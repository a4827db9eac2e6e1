import { Tensor } from '../tensor/Tensor.js';
import { mul, scale, sub } from './arithmetic.js';
import { requireDtype, requireFloat, requireRank, requireSameDevice, requireSameDtype, requireSameShape, tensorArg, valueError } from './checks.js';
import { sum } from './reduce.js';

/**
 * Squared error Σ_{masked rows i} Σ_c (pred_ic − target_ic)², the linear GNN's loss
 * (docs/methods.md §2.4). `reduction: 'sum'` (default 'mean') keeps the plain sum, the loss whose
 * gradient flow the linear-rate bound of §4 is stated for; 'mean' divides by the number of
 * masked rows. `mask` u8 [N] selects rows (all when omitted). Composed from differentiable
 * elementwise ops: the gradient w.r.t. pred is 2·mask⊙(pred − target), scaled as the reduction.
 * Composed of several native ops, it checks its arguments here, with the codes native uses
 * (FathomError TYPE, SHAPE, DEVICE, RANGE), so that the messages name mseLoss.
 *
 * @example
 * const loss = mseLoss(model.forward(x, graph), oneHot, trainMask, { reduction: 'sum' });
 */
export function mseLoss(pred: Tensor, target: Tensor, mask?: Tensor | null, options: { reduction?: 'mean' | 'sum' } = {}): Tensor {
  const op = 'mseLoss';
  tensorArg(op, 'pred', pred);
  tensorArg(op, 'target', target);
  if (mask) tensorArg(op, 'mask', mask);
  requireFloat(op, 'pred', pred);
  requireRank(op, 'pred', pred, 2);
  requireSameDevice(op, 'pred', pred, 'target', target);
  requireSameDtype(op, 'pred', pred, 'target', target);
  requireSameShape(op, 'pred', pred, 'target', target);
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') throw valueError('RANGE', op, `argument reduction must be 'mean' or 'sum', got '${String(reduction)}'`);
  const [n, c] = pred.shape;
  let diff = sub(pred, target);
  let count = n;
  if (mask) {
    requireDtype(op, 'mask', mask, 'u8');
    requireSameDevice(op, 'pred', pred, 'mask', mask);
    if (mask.shape.length !== 1 || mask.shape[0] !== n) {
      throw valueError('SHAPE', op, `argument mask is ${mask.dtype}[${mask.shape.join(', ')}] but pred is ${pred.dtype}[${n}, ${c}]; mask must be [${n}]`);
    }
    // A row mask as a [N, C] 0/1 tensor: there is no broadcasting multiply to use instead.
    const m = mask.toArray();
    const rows = pred.dtype === 'f64' ? new Float64Array(n * c) : new Float32Array(n * c);
    count = 0;
    for (let i = 0; i < n; i++) {
      if (!m[i]) continue;
      count++;
      rows.fill(1, i * c, (i + 1) * c);
    }
    let rowMask = Tensor.from(rows, [n, c]);
    if (pred.device !== 'cpu') {
      const host = rowMask;
      rowMask = host.to(pred.device);
      host.dispose();
    }
    diff = mul(diff, rowMask);
  }
  const total = sum(mul(diff, diff));
  return reduction === 'sum' || count === 0 ? total : scale(total, 1 / count);
}
