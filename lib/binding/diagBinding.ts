// Native functions of the diagnostics op family (native/napi/diag_binding.cc).
import type { CsrHandle, TensorHandle } from './handles.js';

export interface DiagBinding {
  /**
   * f64 moments of x [N, n] on x's device: [Σx², nonzero rows, Σ‖x_i − m‖², column means m (n), Σ of unit rows (n),
   * and with `gram` the centered Gram (X − 1mᵀ)ᵀ(X − 1mᵀ) (n², row-major)].
   */
  featureMoments(x: TensorHandle, gram: boolean): TensorHandle;
  /** f64 [1]: ½ Σ_i Σ_{j in row i} ‖x_i/√len_i − x_j/√len_j‖² over the CSR's structure (the gcn operator's). */
  dirichletEnergy(op: CsrHandle, x: TensorHandle): TensorHandle;
  /** f64 [1]: Σ (x − y)², or Σ x² when y is null. */
  sumSquares(x: TensorHandle, y: TensorHandle | null): TensorHandle;
  /**
   * Eigenvalues (descending) of the symmetric n×n row-major matrix through LAPACK's dsyevd, or null where the
   * build has no LAPACK or deterministic mode is on (the caller falls back to its plain-TS reduction).
   */
  symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array | null;
}
