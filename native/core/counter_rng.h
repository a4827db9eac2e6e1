// Counter-based random numbers: values depend only on (seed, i), so dropout masks are
// reproducible across runs, thread counts and devices (the CPU and CUDA kernels share this file).
#pragma once
#include <cstdint>
#include <cstring>

#ifdef __CUDACC__
#define FATHOM_HD __host__ __device__ __forceinline__
#else
#define FATHOM_HD inline
#endif

namespace fathom {

FATHOM_HD uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, 1) with 53 random bits.
FATHOM_HD double counter_uniform(uint64_t seed, uint64_t i) {
  uint64_t z = mix64(mix64(seed) ^ (i * 0xD1B54A32D192ED03ull));
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

FATHOM_HD uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  return h ^ (h >> 16);
}

// Dropout's keep decision: a 32-bit hash of (seed, i), two keyed rounds of murmur3's finalizer,
// compared with a threshold. Only 32-bit arithmetic, so CPU compilers vectorize it (AVX2 has
// 32-bit but no 64-bit multiplies); p is resolved to 2^-32.
struct DropoutRule {
  uint32_t key0, key1;
  uint32_t threshold;  // keep when hash >= threshold
  bool keep_all;
};

// The seed's part of a rule (its keys); p's part (threshold, keep_all) is left as it is. Kernels
// whose seed is a captured CUDA graph's per-step scalar re-key a rule built on the host with it.
FATHOM_HD void set_dropout_seed(DropoutRule& r, uint64_t seed) {
  const uint64_t k = mix64(seed);
  r.key0 = static_cast<uint32_t>(k);
  r.key1 = static_cast<uint32_t>(k >> 32);
}

// The uint64 seed whose bytes a captured graph's per-step scalar holds (the _dev kernels'
// seed_bits).
inline uint64_t seed_from_bits(const double* seed_bits) {
  uint64_t seed = 0;
  std::memcpy(&seed, seed_bits, sizeof seed);
  return seed;
}

FATHOM_HD DropoutRule dropout_rule(uint64_t seed, double p) {
  DropoutRule r;
  set_dropout_seed(r, seed);
  const double t = p * 4294967296.0;
  r.keep_all = !(p > 0.0);
  r.threshold = t >= 4294967295.0
                    ? 0xFFFFFFFFu
                    : static_cast<uint32_t>(t) +
                          (static_cast<double>(static_cast<uint32_t>(t)) < t ? 1u : 0u);
  return r;
}

// The key of the second round for indices whose upper 32 bits are `hi`.
FATHOM_HD uint32_t dropout_key1(const DropoutRule& r, uint32_t hi) {
  return r.key1 ^ (hi * 0x85EBCA77u);
}

// The hash of index (hi << 32 | lo), given key1 = dropout_key1(r, hi): a loop over lo with hi
// fixed is pure 32-bit arithmetic.
FATHOM_HD uint32_t dropout_hash_lo(uint32_t lo, uint32_t key0, uint32_t key1) {
  return fmix32(fmix32((lo * 0x9E3779B9u) ^ key0) ^ key1);
}

FATHOM_HD uint32_t dropout_hash(const DropoutRule& r, uint64_t i) {
  return dropout_hash_lo(static_cast<uint32_t>(i), r.key0,
                         dropout_key1(r, static_cast<uint32_t>(i >> 32)));
}

// Bitwise, not short-circuit: a branch on a 50% decision would mispredict half the time.
FATHOM_HD bool dropout_keep(const DropoutRule& r, uint64_t i) {
  return r.keep_all | (dropout_hash(r, i) >= r.threshold);
}

}  // namespace fathom
