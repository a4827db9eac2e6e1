import { native } from '../binding/native.js';
import type { StepInput } from '../compile/planFromTraces.js';
import type { Parameter } from '../nn/Parameter.js';
import type { Tensor } from '../tensor/Tensor.js';
import { checkHyper, Optimizer, type OptimizerState } from './Optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with PyTorch's momentum, dampening, Nesterov and L2 weight
 * decay, one fused native update per parameter.
 *
 * @example
 * using opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  #buffers = new Map<Parameter, Tensor>();

  constructor(params: Iterable<Parameter>, options: SGDOptions) {
    super(params, 'SGD');
    this.lr = options?.lr as number;
    this.momentum = checkHyper('SGD', 'momentum', options.momentum ?? 0, 0, 1);
    this.dampening = checkHyper('SGD', 'dampening', options.dampening ?? 0, 0, 1);
    this.weightDecay = checkHyper('SGD', 'weightDecay', options.weightDecay ?? 0, 0, Infinity);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new RangeError('SGD: nesterov needs momentum > 0 and dampening = 0');
    }
  }

  step(): void {
    this.stepCount++;
    for (const p of this.params) {
      if (!p.grad) continue;
      let buf = this.#buffers.get(p);
      const first = !buf;
      if (!buf) {
        buf = p.zerosLike();
        this.#buffers.set(p, buf);
      }
      native().sgdStep(
        p.handle('SGD.step'),
        p.grad.handle('SGD.step'),
        buf.handle('SGD.step'),
        this.lr,
        this.momentum,
        this.dampening,
        p.weightDecay ?? this.weightDecay,
        this.nesterov,
        first,
      );
    }
  }

  override stepInputs(): StepInput[] {
    return [{ op: 'sgdStep', arg: 3, name: 'learning rate', value: () => this.lr }];
  }

  exportState(): OptimizerState {
    const slots = this.params.map((p) => {
      const b = this.#buffers.get(p);
      return b ? { buf: b } : null;
    });
    const hyper = { lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
    return { name: this.name, hyper, stepCount: this.stepCount, slots };
  }

  importState(state: OptimizerState): void {
    this.checkImport(state, ['buf']);
    this.dispose();
    state.slots.forEach((slot, i) => {
      if (!slot) return;
      const p = this.params[i]!;
      const b = p.zerosLike();
      b.handle('SGD.importState').copyFrom(slot.buf!.handle('SGD.importState'));
      this.#buffers.set(p, b);
    });
    this.stepCount = state.stepCount;
  }

  dispose(): void {
    for (const b of this.#buffers.values()) b.dispose();
    this.stateVersion++;
    this.#buffers.clear();
  }
}
