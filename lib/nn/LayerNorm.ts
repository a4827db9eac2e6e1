import { requireObject } from '../errors/args.js';
import { layerNorm } from '../functional/layerNorm.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { checkChannels } from './layerOptions.js';
import { Module } from './Module.js';
import type { Parameter } from './Parameter.js';
import { Rng } from '../random/rng.js';

export interface LayerNormModuleOptions {
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
 * Layer normalization over the features of x [N, F], as PyTorch's `nn.LayerNorm(F)`: each row
 * is standardized with its own mean and biased variance, then scaled by `weight` and shifted by
 * `bias` (parameters of [F], initialized to 1 and 0). The norm of DeeperGCN's res+ block.
 *
 * @example
 * using norm = new LayerNorm(64);
 * const h = norm.forward(x);                 // x [N, 64]
 */
export class LayerNorm extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly eps: number;

  constructor(
    readonly normalizedShape: number,
    options: LayerNormModuleOptions = {},
  ) {
    super();
    checkChannels('LayerNorm', 'normalizedShape', normalizedShape);
    requireObject('LayerNorm', 'options', options);
    const eps = options.eps ?? 1e-5;
    if (typeof eps !== 'number' || !Number.isFinite(eps) || !(eps > 0)) {
      throw new RangeError(`LayerNorm: eps must be a finite number > 0, got ${String(eps)}`);
    }
    this.eps = eps;
    const affine = options.elementwiseAffine ?? true;
    const opts = { dtype: options.dtype, device: options.device };
    // Made through parameter() so that resetParameters() sets them back to 1 and 0 (no draws).
    const rng = new Rng(0);
    this.weight = affine ? this.parameter('weight', [normalizedShape], () => new Float64Array(normalizedShape).fill(1), rng, opts) : null;
    this.bias = affine && (options.bias ?? true) ? this.parameter('bias', [normalizedShape], () => new Float64Array(normalizedShape), rng, opts) : null;
  }

  forward(x: Tensor): Tensor {
    if (x?.shape?.length === 2 && x.shape[1] !== this.normalizedShape) {
      throw new RangeError(`LayerNorm: x ${x.describe()} must have ${this.normalizedShape} columns (the normalized shape)`);
    }
    return layerNorm(x, this.weight, this.bias, { eps: this.eps });
  }
}
