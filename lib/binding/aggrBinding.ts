// Native functions of GENConv's aggregation op family (softmax and power mean) (native/table/aggr_table.cc).
import type { CsrHandle, TensorHandle } from './handles.js';

export interface AggrBinding {
  /**
   * GENConv's softmax aggregation over the CSR by target: m_k = ReLU(x[col_k] + e[perm_k]) + eps,
   * out_i = Σ_k softmax_k(t·m_k) m_k per channel. Returns [out [N, F], stats [2, N, F]] (per-node,
   * per-channel softmax maximum and denominator). e [nnz, F] by edge id, or null; t [1].
   */
  softmaxAggregate(csr: CsrHandle, x: TensorHandle, e: TensorHandle | null, t: TensorHandle, eps: number): [TensorHandle, TensorHandle];
  /** Returns [∂x, ∂e or null (when e is null), ∂t [1]]; csrT is the transposed CSR. */
  softmaxAggregateBackward(
    csrT: CsrHandle,
    x: TensorHandle,
    e: TensorHandle | null,
    t: TensorHandle,
    eps: number,
    out: TensorHandle,
    stats: TensorHandle,
    grad: TensorHandle,
  ): [TensorHandle, TensorHandle | null, TensorHandle];
  /**
   * GENConv's power-mean aggregation (DeeperGCN's PowerMean) with the messages above:
   * out_i = (mean_k m_k^p)^(1/p) per channel (eps > 0). Returns [out [N, F], stats [2, N, F]]
   * (per-node, per-channel extreme message M and Σ (m/M)^p). p [1].
   */
  powerAggregate(csr: CsrHandle, x: TensorHandle, e: TensorHandle | null, p: TensorHandle, eps: number): [TensorHandle, TensorHandle];
  /** Returns [∂x, ∂e or null (when e is null), ∂p [1]]; csrT is the transposed CSR. */
  powerAggregateBackward(
    csrT: CsrHandle,
    x: TensorHandle,
    e: TensorHandle | null,
    p: TensorHandle,
    eps: number,
    out: TensorHandle,
    stats: TensorHandle,
    grad: TensorHandle,
  ): [TensorHandle, TensorHandle | null, TensorHandle];
}
