import { record } from '../autograd/record.js';
import { native } from '../binding/native.js';
import type { TensorHandle } from '../binding/types.js';
import { requireObject } from '../errors/args.js';
import { Tensor } from '../tensor/Tensor.js';
import { brief, numberArg, requireFinite, requireFloat, requireRank, requireSameDevice, requireSameDtype, tensorArg, valueError } from './checks.js';

export interface BatchNormOptions {
  /** Added to the variance under the square root; finite and > 0 (default 1e-5, as PyTorch). */
  eps?: number;
}

/**
 * Batch normalization over the rows (nodes) of x [N, F], with the statistics of this batch:
 * every column is standardized with its own mean and biased variance over the N rows, then
 * scaled by `weight` and shifted by `bias` ([F] tensors of x's dtype and device, or null: 1 and
 * 0). PyTorch's `F.batch_norm(x, None, None, weight, bias, training=True, eps=eps)`, i.e.
 * `BatchNorm1d(F, track_running_stats=False)`: on a full-batch graph the batch is every node, in
 * training and in evaluation alike. Unlike layerNorm it removes a component shared by all nodes.
 * The [F] statistics are reduced by the native column sum (deterministic) and finished on the
 * host in double; the [N, F] work is native elementwise ops.
 *
 * @example
 * const h = batchNorm(x, gamma, beta);                 // x [N, F], gamma and beta [F]
 * const z = batchNorm(x, null, null);                  // plain standardization of each column
 */
export function batchNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const op = 'batchNorm';
  tensorArg(op, 'x', x);
  requireFloat(op, 'x', x);
  requireRank(op, 'x', x, 2);
  const [n, f] = x.shape as [number, number];
  if (n < 1) throw valueError('SHAPE', op, `x ${brief(x)} must have at least one row`);
  const w = affineArg(op, 'weight', weight, x, f);
  const b = affineArg(op, 'bias', bias, x, f);
  requireObject(op, 'options', options);
  const eps = numberArg(op, 'eps', options.eps ?? 1e-5);
  requireFinite(op, 'eps', eps);
  if (!(eps > 0)) throw valueError('RANGE', op, `eps must be > 0, got ${eps}`);

  const nat = native();
  const xh = x.handle(op);
  const mean = columnSums(xh).map((s) => s / n);
  using negMean = vector(
    mean.map((m) => -m),
    x,
  );
  using xc = new Tensor(nat.biasAdd(xh, negMean.handle(op)));
  using sq = new Tensor(nat.mul(xc.handle(op), xc.handle(op)));
  const rstd = columnSums(sq.handle(op)).map((s) => 1 / Math.sqrt(s / n + eps));
  const gamma = w ? Array.from(w.toArray()) : null;
  using rstdCols = columns(rstd, x);
  const xhat = new Tensor(nat.mul(xc.handle(op), rstdCols.handle(op)));
  let out: Tensor;
  {
    using gammaCols = gamma ? columns(gamma, x) : null;
    using scaled = gammaCols ? new Tensor(nat.mul(xhat.handle(op), gammaCols.handle(op))) : null;
    const y = (scaled ?? xhat).handle(op);
    out = new Tensor(b ? nat.biasAdd(y, b.handle(op)) : y.clone());
  }

  record(out, op, [x, w, b], (g) => {
    const gh = g.handle(op);
    const dbeta = columnSums(gh);
    using gx = new Tensor(nat.mul(gh, xhat.handle(op)));
    const dgamma = columnSums(gx.handle(op));
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      // dx = γ·rstd ⊙ (g − mean_rows(g) − x̂ ⊙ mean_rows(g ⊙ x̂)), column by column.
      using negMeanG = vector(
        dbeta.map((s) => -s / n),
        x,
      );
      using centered = new Tensor(nat.biasAdd(gh, negMeanG.handle(op)));
      using projCols = columns(
        dgamma.map((s) => s / n),
        x,
      );
      using proj = new Tensor(nat.mul(xhat.handle(op), projCols.handle(op)));
      using diff = new Tensor(nat.sub(centered.handle(op), proj.handle(op)));
      using scaleCols = columns(
        rstd.map((r, j) => r * (gamma ? gamma[j]! : 1)),
        x,
      );
      dx = new Tensor(nat.mul(diff.handle(op), scaleCols.handle(op)));
    }
    const dw = w?.requiresGrad ? vector(dgamma, x) : null;
    const db = b?.requiresGrad ? vector(dbeta, x) : null;
    return [dx, dw, db];
  });
  // Without a recorded backward nothing reads x̂ again.
  if (!out.gradFn) xhat.dispose();
  return out;
}

function affineArg(op: string, name: string, t: unknown, x: Tensor, f: number): Tensor | null {
  if (t === null || t === undefined) return null;
  const p = tensorArg(op, name, t);
  if (p.shape.length !== 1 || p.shape[0] !== f) throw valueError('SHAPE', op, `${name} ${brief(p)} must be [${f}] (x's columns)`);
  requireSameDtype(op, 'x', x, name, p);
  requireSameDevice(op, 'x', x, name, p);
  return p;
}

/** Column sums of a [N, F] handle, in double on the host. */
function columnSums(h: TensorHandle): number[] {
  const s = native().sumRows(h);
  try {
    return Array.from(s.toArray());
  } finally {
    s.dispose();
  }
}

/** A [F] tensor of like's dtype and device. */
function vector(values: number[], like: Tensor): Tensor {
  return Tensor.from(values, [values.length], { dtype: like.dtype, device: like.device });
}

/** A [N, F] tensor whose every row is `values` (the outer product 1·vᵀ), to scale x's columns. */
function columns(values: number[], like: Tensor): Tensor {
  using ones = Tensor.full([like.shape[0]!, 1], 1, { dtype: like.dtype, device: like.device });
  using v = Tensor.from(values, [1, values.length], { dtype: like.dtype, device: like.device });
  return new Tensor(native().matmul(ones.handle('batchNorm'), v.handle('batchNorm'), false, false));
}
