import { native } from '../binding/native.js';
import type { StepInput } from '../compile/planFromTraces.js';
import type { Parameter } from '../nn/Parameter.js';
import type { Tensor } from '../tensor/Tensor.js';
import { checkHyper, Optimizer, type OptimizerState } from './Optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** L2 penalty added to the gradient, as PyTorch's Adam (not AdamW). */
  weightDecay?: number;
}

/**
 * Adam with PyTorch's semantics, one fused native update per parameter.
 *
 * @example
 * using opt = new Adam(model.parameters(), { lr: 0.01, weightDecay: 5e-4 });
 * opt.step(); opt.zeroGrad();
 */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  #state = new Map<Parameter, { m: Tensor; v: Tensor }>();

  constructor(params: Iterable<Parameter>, options: AdamOptions = {}) {
    super(params, 'Adam');
    this.lr = options.lr ?? 1e-3;
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.betas = [checkHyper('Adam', 'beta1', b1, 0, 1), checkHyper('Adam', 'beta2', b2, 0, 1)];
    if (b1 === 1 || b2 === 1) throw new RangeError('Adam: betas must be below 1');
    this.eps = checkHyper('Adam', 'eps', options.eps ?? 1e-8, 0, Infinity, true);
    this.weightDecay = checkHyper('Adam', 'weightDecay', options.weightDecay ?? 0, 0, Infinity);
  }

  step(): void {
    this.stepCount++;
    for (const p of this.params) {
      if (!p.grad) continue;
      let s = this.#state.get(p);
      if (!s) {
        s = { m: p.zerosLike(), v: p.zerosLike() };
        this.#state.set(p, s);
      }
      native().adamStep(
        p.handle('Adam.step'),
        p.grad.handle('Adam.step'),
        s.m.handle('Adam.step'),
        s.v.handle('Adam.step'),
        this.lr,
        this.betas[0],
        this.betas[1],
        this.eps,
        p.weightDecay ?? this.weightDecay,
        this.stepCount,
      );
    }
  }

  override stepInputs(): StepInput[] {
    return [
      { op: 'adamStep', arg: 4, name: 'learning rate', value: () => this.lr },
      { op: 'adamStep', arg: 9, name: 'step count', value: () => this.stepCount },
    ];
  }

  exportState(): OptimizerState {
    const slots = this.params.map((p) => {
      const s = this.#state.get(p);
      return s ? { m: s.m, v: s.v } : null;
    });
    return { name: this.name, hyper: { lr: this.lr, betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay }, stepCount: this.stepCount, slots };
  }

  importState(state: OptimizerState): void {
    this.checkImport(state, ['m', 'v']);
    this.dispose();
    state.slots.forEach((slot, i) => {
      if (!slot) return;
      const p = this.params[i]!;
      const m = p.zerosLike();
      const v = p.zerosLike();
      m.handle('Adam.importState').copyFrom(slot.m!.handle('Adam.importState'));
      v.handle('Adam.importState').copyFrom(slot.v!.handle('Adam.importState'));
      this.#state.set(p, { m, v });
    });
    this.stepCount = state.stepCount;
  }

  dispose(): void {
    for (const s of this.#state.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.#state.clear();
    this.stateVersion++;
  }
}
