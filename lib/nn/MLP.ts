import { requireObject } from '../errors/args.js';
import { biasAdd } from '../functional/biasAdd.js';
import { matmul } from '../functional/matmul.js';
import { relu } from '../functional/relu.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import { checkChannels, layerRng, type LayerOptions } from './layerOptions.js';
import { Linear } from './Linear.js';
import { Module } from './Module.js';

export interface MLPOptions extends LayerOptions {
  /** Width of the hidden layer (default outChannels, as GIN's MLP([in, out, out])). */
  hiddenChannels?: number;
}

/**
 * The two-layer perceptron GIN applies after its aggregation: Linear → ReLU → Linear
 * (PyG's `MLP([in, hidden, out])` without normalization, the last layer plain). Both Linear
 * layers are initialized as PyTorch's, drawn from one stream in order (lin1 then lin2).
 *
 * @example
 * using mlp = new MLP(64, 64, { hiddenChannels: 128, seed: 0 });
 * const y = mlp.forward(h);
 */
export class MLP extends Module {
  readonly lin1: Linear;
  readonly lin2: Linear;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    options: MLPOptions = {},
  ) {
    super();
    requireObject('MLP', 'options', options);
    checkChannels('MLP', 'inChannels', inChannels);
    checkChannels('MLP', 'outChannels', outChannels);
    const hidden = checkChannels('MLP', 'hiddenChannels', options.hiddenChannels ?? outChannels);
    const common = { rng: layerRng(options), bias: options.bias, dtype: options.dtype, device: options.device };
    const made: { lin1?: Linear; lin2?: Linear } = {};
    this.build(() => {
      made.lin1 = this.registerModule('lin1', new Linear(inChannels, hidden, common));
      made.lin2 = this.registerModule('lin2', new Linear(hidden, outChannels, common));
    });
    this.lin1 = made.lin1!;
    this.lin2 = made.lin2!;
  }

  get hiddenChannels(): number {
    return this.lin1.outChannels;
  }

  /** lin2(ReLU(lin1(x))); `x` may be constant SparseFeatures. */
  forward(x: Tensor | SparseFeatures): Tensor {
    return this.lin2.forward(relu(this.lin1.forward(x)));
  }

  /**
   * The output given x W₁ᵀ, the first layer's product before its bias: lin2(ReLU(xW₁ᵀ + b₁)).
   * Lets a caller apply a linear map of the rows (a graph aggregation) to that product, which
   * commutes with it, on the narrower side.
   */
  forwardFromProduct(xw: Tensor): Tensor {
    const b = this.lin1.bias;
    return this.lin2.forward(relu(b ? biasAdd(xw, b) : xw));
  }

  /** x W₁ᵀ (no bias), what {@link forwardFromProduct} continues from. */
  firstProduct(x: Tensor | SparseFeatures): Tensor {
    return matmul(x, this.lin1.weight, { transB: true });
  }
}
