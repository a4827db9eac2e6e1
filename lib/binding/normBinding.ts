import type { TensorHandle } from './handles.js';

// Native functions of the norm op family (native/napi/norm_binding.cc).
export interface NormBinding {
  /** PairNorm (docs/methods.md §2.5): PN, or PN-SI when scaleIndividually. */
  pairNorm(x: TensorHandle, scale: number, eps: number, scaleIndividually: boolean): TensorHandle;
  pairNormBackward(grad: TensorHandle, x: TensorHandle, scale: number, eps: number, scaleIndividually: boolean): TensorHandle;
}
