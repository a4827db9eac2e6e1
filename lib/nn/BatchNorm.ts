import { requireObject } from '../errors/args.js';
import { batchNorm } from '../functional/batchNorm.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { checkChannels } from './layerOptions.js';
import { Module } from './Module.js';
import type { Parameter } from './Parameter.js';
import { Rng } from '../random/rng.js';

export interface BatchNormModuleOptions {
  /** Added to the variance under the square root; finite and > 0 (default 1e-5). */
  eps?: number;
  /** Learn a per-feature scale weight (initialized to 1) and shift bias (initialized to 0) (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether the shift bias exists (default true). */
  bias?: boolean;
  /** Parameter dtype (default f32). */
  dtype?: DType;
  /** Device of the parameters (default cpu). */
  device?: Device;
}

/**
 * Batch normalization over the nodes of x [N, F] with the batch's own statistics, as PyTorch's
 * `nn.BatchNorm1d(F, track_running_stats=False)`: each column is standardized with its mean and
 * biased variance over the N rows, then scaled by `weight` and shifted by `bias` (parameters of
 * [F], initialized to 1 and 0). On a full-batch graph the batch is the whole graph in training
 * and in evaluation, so no running statistics are kept. DeeperGCN's default norm (`norm: 'batch'`).
 *
 * @example
 * using norm = new BatchNorm(64);
 * const h = norm.forward(x);                 // x [N, 64]
 */
export class BatchNorm extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly eps: number;

  constructor(
    readonly numFeatures: number,
    options: BatchNormModuleOptions = {},
  ) {
    super();
    checkChannels('BatchNorm', 'numFeatures', numFeatures);
    requireObject('BatchNorm', 'options', options);
    const eps = options.eps ?? 1e-5;
    if (typeof eps !== 'number' || !Number.isFinite(eps) || !(eps > 0)) {
      throw new RangeError(`BatchNorm: eps must be a finite number > 0, got ${String(eps)}`);
    }
    this.eps = eps;
    const affine = options.elementwiseAffine ?? true;
    const opts = { dtype: options.dtype, device: options.device };
    // Made through parameter() so that resetParameters() sets them back to 1 and 0 (no draws).
    const rng = new Rng(0);
    this.weight = affine ? this.parameter('weight', [numFeatures], () => new Float64Array(numFeatures).fill(1), rng, opts) : null;
    this.bias = affine && (options.bias ?? true) ? this.parameter('bias', [numFeatures], () => new Float64Array(numFeatures), rng, opts) : null;
  }

  forward(x: Tensor): Tensor {
    if (x?.shape?.length === 2 && x.shape[1] !== this.numFeatures) {
      throw new RangeError(`BatchNorm: x ${x.describe()} must have ${this.numFeatures} columns (numFeatures)`);
    }
    return batchNorm(x, this.weight, this.bias, { eps: this.eps });
  }
}
