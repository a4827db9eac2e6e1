// Device helpers shared by the GAT kernel sets of gat.cu and gat_per_node.cuh: LeakyReLU and its
// derivative, the dropout counter of a CSR entry, and the dropout rule re-keyed with a seed read
// on the device.
#pragma once
#include <cstdint>

#include "../core/counter_rng.h"
#include "common.cuh"

namespace fathom::cuda::gat {

using namespace detail;

template <typename T>
__device__ __forceinline__ T lrelu(T z, T slope) {
  return z > T(0) ? z : slope * z;
}

template <typename T>
__device__ __forceinline__ T lrelu_grad(T z, T slope) {
  return z > T(0) ? T(1) : slope;
}

__device__ __forceinline__ uint64_t edge_key(const int32_t* perm, int32_t k, int64_t target) {
  return perm[k] >= 0 ? static_cast<uint64_t>(perm[k])
                      : (uint64_t{1} << 31) + static_cast<uint64_t>(target);
}

// The rule a kernel uses: the host's, re-keyed with the seed read on the device when seed_bits
// is given (gat_forward_dev / gat_backward_dev: a captured graph's per-step scalar).
__device__ __forceinline__ DropoutRule rekeyed(DropoutRule rule, const double* seed_bits) {
  if (seed_bits != nullptr) set_dropout_seed(rule, *reinterpret_cast<const uint64_t*>(seed_bits));
  return rule;
}

}  // namespace fathom::cuda::gat
