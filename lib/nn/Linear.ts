import { biasAdd } from '../functional/biasAdd.js';
import { matmul } from '../functional/matmul.js';
import { kaimingUniform } from '../init/kaimingUniform.js';
import { uniform } from '../init/uniform.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import { checkChannels, layerRng, type LayerOptions } from './layerOptions.js';
import { Module } from './Module.js';
import type { Parameter } from './Parameter.js';

/**
 * y = x Wᵀ + b with W [out, in], initialized as PyTorch's `Linear`.
 *
 * @example
 * using lin = new Linear(1433, 64, { seed: 0 });
 * const h = lin.forward(x);
 */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    options: LayerOptions = {},
  ) {
    super();
    checkChannels('Linear', 'inChannels', inChannels);
    checkChannels('Linear', 'outChannels', outChannels);
    const rng = layerRng(options);
    const opts = { dtype: options.dtype, device: options.device };
    // Made through parameter() so that resetParameters() redraws them (same draws, same order).
    this.weight = this.parameter('weight', [outChannels, inChannels], (r) => kaimingUniform(outChannels, inChannels, r), rng, opts);
    this.bias = options.bias === false ? null : this.parameter('bias', [outChannels], (r) => uniform(outChannels, 1 / Math.sqrt(inChannels), r), rng, opts);
  }

  /** `x` may be constant SparseFeatures (input features): the product is then an SpMM. */
  forward(x: Tensor | SparseFeatures): Tensor {
    const y = matmul(x, this.weight, { transB: true });
    return this.bias ? biasAdd(y, this.bias) : y;
  }
}
