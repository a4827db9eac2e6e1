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
  // The seed's bytes on the device (a captured CUDA graph's per-step scalar), or null: seed.
  const double* seed_dev = nullptr;
};

struct GatResult {
  Tensor out;    // [Nt, H*F], heads concatenated
  Tensor stats;  // [2, Nt, H]: per-target softmax max and denominator
};

struct GatGrads {
  // dxt undefined when xs and xt are one tensor (dxs is then the whole gradient); da_dst
  // undefined for GATv2.
  Tensor dxs, dxt, da_src, da_dst;
};

// csr: CSR by target with perm, Nt rows by Ns columns: target i's neighbourhood N(i) ∪ {i} (the
// "gin" operator of a graph, Nt = Ns, or of a sampled block whose targets are its first sources).
// xs [Ns, H*F] (SHAPE error unless its rows are csr's columns); xt [Nt, H*F], or [Ns, H*F] with
// the targets first (SHAPE error otherwise); a_src [H*F]; a_dst [H*F] for GATv1, undefined for
// GATv2. out and stats have one row per target.
GatResult gat_attention(const GatConfig& cfg, const Csr& csr, const Tensor& xs, const Tensor& xt,
                        const Tensor& a_src, const Tensor& a_dst);

// csr_t: csr's transpose (csr_transpose, perm carried; Ns rows by Nt columns). out and stats
// from gat_attention; grad [Nt, H*F]. dxs and dxt have the shapes of xs and xt (rows of xt past
// the targets get zero). shared_input: xs and xt are one tensor (the caller's autograd input):
// both gradients are summed into dxs in one buffer and dxt is left undefined.
GatGrads gat_attention_backward(const GatConfig& cfg, const Csr& csr, const Csr& csr_t,
                                const Tensor& xs, const Tensor& xt, const Tensor& a_src,
                                const Tensor& a_dst, const Tensor& out, const Tensor& stats,
                                const Tensor& grad, bool shared_input = false);

}  // namespace fathom::ops
