import type { TensorHandle } from './handles.js';

// Native functions of the norm op family (native/table/norm_table.cc).
export interface NormBinding {
  /** PairNorm (docs/methods.md §2.5): PN, or PN-SI when scaleIndividually. */
  pairNorm(x: TensorHandle, scale: number, eps: number, scaleIndividually: boolean): TensorHandle;
  pairNormBackward(grad: TensorHandle, x: TensorHandle, scale: number, eps: number, scaleIndividually: boolean): TensorHandle;
  /**
   * Layer normalization over the last dimension of x [N, F]: [out, stats] with stats an f64
   * [2, N] tensor on x's device (row means, then rstd = 1/sqrt(var + eps)) for the backward.
   */
  layerNorm(x: TensorHandle, weight: TensorHandle | null, bias: TensorHandle | null, eps: number): [TensorHandle, TensorHandle];
  /** [dx, dweight, dbias], null where not wanted; wantWeight needs the forward's weight. */
  layerNormBackward(
    grad: TensorHandle,
    x: TensorHandle,
    weight: TensorHandle | null,
    stats: TensorHandle,
    wantX: boolean,
    wantWeight: boolean,
    wantBias: boolean,
  ): [TensorHandle | null, TensorHandle | null, TensorHandle | null];
  /** One power-iteration step on f64 vectors u [out, 1], v [in, 1] for W [out, in], in place. */
  powerIteration(w: TensorHandle, u: TensorHandle, v: TensorHandle): void;
  /** c·W/σ with σ = uᵀWv (f64 u, v on W's device); FathomError NUMERIC for a zero weight. */
  spectralNormalize(w: TensorHandle, u: TensorHandle, v: TensorHandle, c: number): TensorHandle;
  /** ∂L/∂W with u and v constant; all NaN for a non-finite upstream gradient. */
  spectralNormalizeBackward(grad: TensorHandle, w: TensorHandle, u: TensorHandle, v: TensorHandle, c: number): TensorHandle;
}
