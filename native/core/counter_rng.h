// Counter-based uniform numbers: u(seed, i) depends only on (seed, i), so dropout masks are
// reproducible across runs, thread counts and devices. splitmix64 finalizer over seed ^ i.
#pragma once
#include <cstdint>

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

}  // namespace fathom
