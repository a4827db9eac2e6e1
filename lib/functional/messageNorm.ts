import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import type { TensorHandle } from '../binding/types.js';
import { Tensor } from '../tensor/Tensor.js';
import { brief, requireFloat, requireRank, requireSameDevice, requireSameDtype, tensorArg, valueError } from './checks.js';
import { scalarArg } from './scaleByScalar.js';

/**
 * DeeperGCN's message normalization (MsgNorm, PyG's `MessageNorm`): every node's aggregated
 * message m_i is rescaled to the norm of the node's own features,
 *   out_i = s · ‖x_i‖₂ · m_i / ‖m_i‖₂,
 * with s a [1] tensor (learned or fixed). x and m are [N, F] of one dtype and device. A zero
 * message row gives a zero row (PyTorch's `F.normalize` divides by max(‖m_i‖, 1e-12)). The row
 * norms are reduced natively (a GEMV with a column of ones) and finished on the host in double.
 *
 * @example
 * const out = messageNorm(x, aggregated, scale);   // then the update MLP of x + out
 */
export function messageNorm(x: Tensor, m: Tensor, s: Tensor): Tensor {
  const op = 'messageNorm';
  tensorArg(op, 'x', x);
  tensorArg(op, 'm', m);
  requireFloat(op, 'x', x);
  requireRank(op, 'x', x, 2);
  requireSameDtype(op, 'x', x, 'm', m);
  requireSameDevice(op, 'x', x, 'm', m);
  if (m.shape.length !== 2 || m.shape[0] !== x.shape[0] || m.shape[1] !== x.shape[1]) {
    throw valueError('SHAPE', op, `m ${brief(m)} must have x's shape ${brief(x)}`);
  }
  scalarArg(op, 's', s, x);
  const nat = native();
  const scale = s.item();
  const xNorm = rowNorms(x.handle(op), x);
  const mNorm = rowNorms(m.handle(op), x).map((v) => Math.max(v, 1e-12));
  const factor = xNorm.map((v, i) => (scale * v) / mNorm[i]!);
  let out: Tensor;
  {
    using factors = rowsOf(factor, x);
    out = new Tensor(nat.mul(m.handle(op), factors.handle(op)));
  }
  return record(out, op, [x, m, s], (g) => {
    const gh = g.handle(op);
    // dot_i = g_i · m̂_i, the one row reduction every gradient needs.
    const dot = rowDots(gh, m.handle(op), x).map((v, i) => v / mNorm[i]!);
    let dx: Tensor | null = null;
    let dm: Tensor | null = null;
    if (x.requiresGrad) {
      // ∂out_i/∂x_i = s · m̂_i x̂_iᵀ; ‖x_i‖ = 0 gives 0 (its subgradient).
      using c = rowsOf(
        dot.map((d, i) => (xNorm[i]! > 0 ? (scale * d) / xNorm[i]! : 0)),
        x,
      );
      dx = new Tensor(nat.mul(x.handle(op), c.handle(op)));
    }
    if (m.requiresGrad) {
      // dm_i = c_i (g_i − m̂_i (m̂_i · g_i)), c_i = s‖x_i‖/‖m_i‖.
      using c = rowsOf(factor, x);
      using proj = rowsOf(
        dot.map((d, i) => d / mNorm[i]!),
        x,
      );
      using along = new Tensor(nat.mul(m.handle(op), proj.handle(op)));
      using diff = new Tensor(nat.sub(gh, along.handle(op)));
      dm = new Tensor(nat.mul(diff.handle(op), c.handle(op)));
    }
    const ds = s.requiresGrad ? Tensor.from([dot.reduce((acc, d, i) => acc + d * xNorm[i]!, 0)], [1], { dtype: s.dtype, device: s.device }) : null;
    return [dx, dm, ds];
  });
}

/** ‖row_i‖₂ of a [N, F] handle, in double on the host. */
function rowNorms(h: TensorHandle, like: Tensor): number[] {
  return rowDots(h, h, like).map(Math.sqrt);
}

/** a_i · b_i for the rows of two [N, F] handles, in double on the host. */
function rowDots(a: TensorHandle, b: TensorHandle, like: Tensor): number[] {
  const nat = native();
  using prod = new Tensor(nat.mul(a, b));
  using ones = Tensor.full([like.shape[1]!, 1], 1, { dtype: like.dtype, device: like.device });
  using sums = new Tensor(nat.matmul(prod.handle('messageNorm'), ones.handle('messageNorm'), false, false));
  return Array.from(sums.toArray());
}

/** A [N, F] tensor whose row i is values[i] everywhere (v·1ᵀ), to scale x's rows. */
function rowsOf(values: number[], like: Tensor): Tensor {
  using v = Tensor.from(values, [values.length, 1], { dtype: like.dtype, device: like.device });
  using ones = Tensor.full([1, like.shape[1]!], 1, { dtype: like.dtype, device: like.device });
  return new Tensor(native().matmul(v.handle('messageNorm'), ones.handle('messageNorm'), false, false));
}
