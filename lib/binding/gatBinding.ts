// Native functions of the gat op family (native/table/gat_table.cc).
import type { CsrHandle, TensorHandle } from './handles.js';

export interface GatBinding {
  /**
   * Fused GAT attention (docs/methods.md §2.2) over a "gin" CSR [Nt × Ns] (square for a graph,
   * a block's targets × sources): xs [Ns, H·F], xt [Nt or Ns, H·F] (targets first); returns
   * [out [Nt, H·F], stats [2, Nt, H]] (per-target softmax max and denominator). aDst is required
   * for version 1 and null for version 2.
   */
  gatAttention(
    version: 1 | 2,
    csr: CsrHandle,
    xs: TensorHandle,
    xt: TensorHandle,
    aSrc: TensorHandle,
    aDst: TensorHandle | null,
    heads: number,
    negativeSlope: number,
    dropout: number,
    seed: number,
  ): [TensorHandle, TensorHandle];
  /** Returns [∂xs, ∂xt, ∂aSrc, ∂aDst or null], shaped as the inputs; csrT is the transposed CSR. */
  gatAttentionBackward(
    version: 1 | 2,
    csr: CsrHandle,
    csrT: CsrHandle,
    xs: TensorHandle,
    xt: TensorHandle,
    aSrc: TensorHandle,
    aDst: TensorHandle | null,
    heads: number,
    negativeSlope: number,
    dropout: number,
    seed: number,
    out: TensorHandle,
    stats: TensorHandle,
    grad: TensorHandle,
    /** xs and xt are one tensor: dxs comes back as the whole gradient and dxt as null. */
    sharedInput: boolean,
  ): [TensorHandle, TensorHandle | null, TensorHandle, TensorHandle | null];
}
