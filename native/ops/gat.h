// GAT attention ops (docs/methods.md §2.2): validation and dispatch around the fused kernels of
// core/kernel_list.inc. Every error names the op, the argument and the shapes.
#pragma once
#include <cstdint>

#include "../core/tensor.h"
#include "../graph/csr.h"

namespace fathom::ops {

struct GatConfig {
  int version = 2;     // 1: GATv1 scores, 2: GATv2 scores
  int64_t heads = 1;   // H; the feature width must be H * F
  double slope = 0.2;  // LeakyReLU negative slope
  double p = 0;        // attention dropout in [0, 1)
  uint64_t seed = 0;   // attention dropout seed
};

struct GatResult {
  Tensor out;    // [N, H*F], heads concatenated
  Tensor stats;  // [2, N, H]: per-node softmax max and denominator
};

struct GatGrads {
  // dxt undefined when xs and xt are one tensor (dxs is then the whole gradient); da_dst
  // undefined for GATv2.
  Tensor dxs, dxt, da_src, da_dst;
};

// csr: square CSR by target over N(i) ∪ {i} (the "gin" operator) with perm. xs, xt [N, H*F];
// a_src [H*F]; a_dst [H*F] for GATv1, undefined for GATv2.
GatResult gat_attention(const GatConfig& cfg, const Csr& csr, const Tensor& xs, const Tensor& xt,
                        const Tensor& a_src, const Tensor& a_dst);

// csr_t: csr's transpose (csr_transpose, perm carried). out and stats from gat_attention.
// shared_input: xs and xt are one tensor (the caller's autograd input): both gradients are summed
// into dxs in one buffer and dxt is left undefined.
GatGrads gat_attention_backward(const GatConfig& cfg, const Csr& csr, const Csr& csr_t,
                                const Tensor& xs, const Tensor& xt, const Tensor& a_src,
                                const Tensor& a_dst, const Tensor& out, const Tensor& stats,
                                const Tensor& grad, bool shared_input = false);

}  // namespace fathom::ops
