// Inverted dropout with a counter-based mask (core/counter_rng.h, dropout_keep): element i's fate
// depends only on (seed, i), so the mask is identical for any thread count and on every backend.

#include "../core/counter_rng.h"
#include "kernels.h"
#include "parallel.h"
#include "simd_clones.h"

namespace fathom::cpu {
namespace {

// The hash needs 32-bit vector multiplies, which baseline x86-64 (SSE2) lacks: an AVX2 clone is
// picked at load time where the CPU has it, without building the whole addon for one CPU.

// [begin, end) never crosses a multiple of 2^32 (blocks are aligned powers of two), so the upper
// index bits are fixed and the loop runs on 32-bit lanes.
template <typename T>
inline void dropout_range(int64_t begin, int64_t end, const DropoutRule& rule, T scale,
                          const T* __restrict__ x, T* __restrict__ out,
                          uint8_t* __restrict__ mask) {
  const uint32_t key0 = rule.key0;
  const uint32_t key1 =
      dropout_key1(rule, static_cast<uint32_t>(static_cast<uint64_t>(begin) >> 32));
  const uint32_t threshold = rule.keep_all ? 0u : rule.threshold;
  const uint32_t lo0 = static_cast<uint32_t>(begin);
  const int64_t len = end - begin;
  x += begin;
  out += begin;
  mask += begin;
  for (int64_t j = 0; j < len; ++j) {
    // Signed: AVX2 converts int32 but not uint32 lanes to floating point.
    const int32_t keep = dropout_hash_lo(lo0 + static_cast<uint32_t>(j), key0, key1) >= threshold;
    mask[j] = static_cast<uint8_t>(keep);
    // Branch-free: a 50% keep decision would mispredict half the time.
    out[j] = x[j] * (static_cast<T>(keep) * scale);
  }
}

FATHOM_CLONES void dropout_f32(int64_t b, int64_t e, const DropoutRule& r, float s, const float* x,
                               float* out, uint8_t* mask) {
  dropout_range(b, e, r, s, x, out, mask);
}

FATHOM_CLONES void dropout_f64(int64_t b, int64_t e, const DropoutRule& r, double s,
                               const double* x, double* out, uint8_t* mask) {
  dropout_range(b, e, r, s, x, out, mask);
}

inline void dropout_block(int64_t b, int64_t e, const DropoutRule& r, float s, const float* x,
                          float* out, uint8_t* mask) {
  dropout_f32(b, e, r, s, x, out, mask);
}
inline void dropout_block(int64_t b, int64_t e, const DropoutRule& r, double s, const double* x,
                          double* out, uint8_t* mask) {
  dropout_f64(b, e, r, s, x, out, mask);
}

}  // namespace

template <typename T>
void dropout(int64_t n, double p, uint64_t seed, const T* x, T* out, uint8_t* mask) {
  // p >= 1 drops everything; computing 1/(1-p) there would give 0 * Inf = NaN.
  // The same scale masked_scale() receives in the backward pass, so forward and backward agree.
  const T scale = p < 1.0 ? static_cast<T>(1.0 / (1.0 - p)) : T(0);
  const DropoutRule rule = dropout_rule(seed, p);
  constexpr int64_t kBlock = 1 << 16;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t b = blk * kBlock;
    dropout_block(b, b + kBlock < n ? b + kBlock : n, rule, scale, x, out, mask);
  }
}

// The backward: out = grad * mask * scale, with the scale dropout() used.
template <typename T>
void masked_scale(int64_t n, const T* grad, const uint8_t* mask, T scale, T* out) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    const T g = grad[i] * scale;
    out[i] = mask[i] ? g : T(0);
  }
}

template <typename T>
void dropout_dev(int64_t n, double p, const double* seed_bits, const T* x, T* out, uint8_t* mask) {
  dropout<T>(n, p, seed_from_bits(seed_bits), x, out, mask);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_dropout 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
