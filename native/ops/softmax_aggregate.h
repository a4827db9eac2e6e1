// The softmax and power-mean aggregations of GENConv (DeeperGCN): validation and dispatch around
// the fused kernels of core/kernel_list.inc. Every error names the op, the argument and the shapes.
#pragma once

#include "../core/tensor.h"
#include "../graph/csr.h"

namespace fathom::ops {

struct SoftmaxAggregateResult {
  Tensor out;    // [N, F]: out_i = Σ_k softmax_k(t·m_k) m_k per channel
  Tensor stats;  // [2, N, F]: per-(node, channel) softmax maximum and denominator
};

struct SoftmaxAggregateGrads {
  Tensor dx;  // [S, F]
  Tensor de;  // [E, F], undefined when e is
  Tensor dt;  // [1]
};

// csr: CSR by target (N rows over S source columns) with m_k = ReLU(x[col_k] + e[perm_k]) + eps.
// x [S, F] f32/f64. e [E, F] with E = csr.nnz() and x's dtype and device, indexed by edge id
// through csr.perm, which must then be an i32 [nnz] with values in [-1, E) (checked for CPU
// operators; entries with perm < 0, the self loops an operator added, get no edge term); or e
// undefined: no edge term, and no perm needed. t [1] with x's dtype and device: the inverse
// temperature. eps finite.
SoftmaxAggregateResult softmax_aggregate(const Csr& csr, const Tensor& x, const Tensor& e,
                                         const Tensor& t, double eps);

// csr_t: the transpose of the forward's csr (csr_transpose, perm carried); out and stats from
// softmax_aggregate; grad = ∂L/∂out [N, F].
SoftmaxAggregateGrads softmax_aggregate_backward(const Csr& csr_t, const Tensor& x, const Tensor& e,
                                                 const Tensor& t, double eps, const Tensor& out,
                                                 const Tensor& stats, const Tensor& grad);

// The power mean (DeeperGCN's PowerMean): out_i = (mean_k m_k^p)^(1/p) per channel, with the
// arguments of softmax_aggregate and p [1] the power in place of t; eps must be > 0. stats [2, N,
// F]: the extreme message M of each row and channel and Σ (m/M)^p. The grads' dt is ∂L/∂p.
SoftmaxAggregateResult power_aggregate(const Csr& csr, const Tensor& x, const Tensor& e,
                                       const Tensor& p, double eps);

SoftmaxAggregateGrads power_aggregate_backward(const Csr& csr_t, const Tensor& x, const Tensor& e,
                                               const Tensor& p, double eps, const Tensor& out,
                                               const Tensor& stats, const Tensor& grad);

}  // namespace fathom::ops
