import { native } from '../binding/native.js';
import { keep } from '../autograd/scope.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';

/**
 * A trainable tensor: requiresGrad is set, and it survives every tidy() scope. Optimizers
 * update it in place, so references stay valid across steps.
 *
 * @example
 * const w = Parameter.fromValues(new Float64Array([0.1, -0.2]), [1, 2], { dtype: 'f32' });
 */
export class Parameter extends Tensor {
  /**
   * This parameter's own L2 weight decay, overriding the optimizer's (PyTorch's parameter
   * groups, kept on the parameter): GCNII decays its convolutions' weights more than the rest.
   * null (default): the optimizer's weightDecay.
   */
  weightDecay: number | null = null;

  constructor(...args: ConstructorParameters<typeof Tensor>) {
    super(...args);
    this.requiresGrad = true;
    keep(this);
  }

  static fromValues(values: ArrayLike<number>, shape: readonly number[], options: { dtype?: DType; device?: Device } = {}): Parameter {
    const dtype = options.dtype ?? 'f32';
    const data = dtype === 'f64' ? Float64Array.from(values) : Float32Array.from(values);
    const host = Tensor.from(data, shape, { dtype });
    try {
      return new Parameter(host.handle('Parameter').to(options.device ?? 'cpu'));
    } finally {
      host.dispose();
    }
  }

  /** Overwrites the values in place (same shape and dtype). */
  assign(values: Tensor): void {
    this.handle('Parameter.assign').copyFrom(values.handle('Parameter.assign'));
  }

  /** A zero tensor of this parameter's shape, dtype and device (optimizer state). */
  zerosLike(): Tensor {
    return keep(new Tensor(native().fill([...this.shape], this.dtype, this.device, 0)));
  }
}
