// Inverted dropout and its backward. Element i is kept when dropout_keep(dropout_rule(seed, p), i):
// the same counter-based hash as the CPU backend (core/counter_rng.h, host+device), so a seed gives
// the same mask on every backend, run and launch geometry.
#include <cstdint>

#include "../core/counter_rng.h"
#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

template <typename T>
__global__ void dropout_kernel(int64_t n, double p, uint64_t seed, T scale, const T* __restrict__ x,
                               T* __restrict__ out, uint8_t* __restrict__ mask,
                               const double* __restrict__ seed_bits) {
  // dropout_dev: the seed's bytes from device memory (a captured graph's per-step scalar).
  if (seed_bits != nullptr) seed = *reinterpret_cast<const uint64_t*>(seed_bits);
  const ::fathom::DropoutRule rule = ::fathom::dropout_rule(seed, p);
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    const bool keep = ::fathom::dropout_keep(rule, static_cast<uint64_t>(i));
    mask[i] = keep ? 1 : 0;
    out[i] = keep ? x[i] * scale : T(0);
  }
}

template <typename T>
__global__ void masked_scale_kernel(int64_t n, const T* grad, const uint8_t* __restrict__ mask,
                                    T scale, T* out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    out[i] = mask[i] ? grad[i] * scale : T(0);
  }
}

}  // namespace

template <typename T>
void launch_dropout(int64_t n, double p, uint64_t seed, const double* seed_bits, const T* x, T* out,
                    uint8_t* mask) {
  if (n <= 0) return;
  // As on the CPU: the scale masked_scale() receives in the backward pass; p >= 1 drops
  // everything (1/(1-p) would give 0 * Inf = NaN).
  const T scale = p < 1.0 ? static_cast<T>(1.0 / (1.0 - p)) : T(0);
  dropout_kernel<T>
      <<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, p, seed, scale, x, out, mask, seed_bits);
  FATHOM_CUDA_LAUNCH_CHECK("dropout");
}

template <typename T>
void dropout(int64_t n, double p, uint64_t seed, const T* x, T* out, uint8_t* mask) {
  launch_dropout<T>(n, p, seed, nullptr, x, out, mask);
}

template <typename T>
void dropout_dev(int64_t n, double p, const double* seed_bits, const T* x, T* out, uint8_t* mask) {
  launch_dropout<T>(n, p, 0, seed_bits, x, out, mask);
}

template <typename T>
void masked_scale(int64_t n, const T* grad, const uint8_t* mask, T scale, T* out) {
  if (n <= 0) return;
  masked_scale_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, grad, mask, scale, out);
  FATHOM_CUDA_LAUNCH_CHECK("masked_scale");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_dropout 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
