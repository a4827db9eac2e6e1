import { pairNorm, type PairNormOptions } from '../functional/pairNorm.js';
import type { Tensor } from '../tensor/Tensor.js';
import { Module } from './Module.js';
import { requireObject } from '../errors/args.js';

/**
 * PairNorm as a layer (docs/methods.md §2.5): PN, or PN-SI with `scaleIndividually`. It has no
 * parameters; the module form lets it sit in a model's layer list.
 *
 * @example
 * using norm = new PairNorm({ scale: 1 });
 * const h = norm.forward(x);
 */
export class PairNorm extends Module {
  readonly options: Readonly<PairNormOptions>;

  constructor(options: PairNormOptions = {}) {
    super();
    requireObject('PairNorm', 'options', options);
    const s = options.scale ?? 1;
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`PairNorm: scale must be a finite number > 0, got ${s}`);
    this.options = { ...options };
  }

  forward(x: Tensor): Tensor {
    return pairNorm(x, this.options);
  }
}
