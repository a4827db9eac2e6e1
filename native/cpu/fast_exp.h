// exp for softmax weights in the CPU kernels' vector loops. float: a Cephes-style polynomial
// (within 2 ulp of expf, 0 below −87) that compiles to straight-line vector code, so loops over
// channels vectorize instead of calling expf once per element; double keeps std::exp (reference
// precision). Arguments are max-subtracted (≤ 0) in the softmax kernels; larger ones are clamped
// at 88.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "simd_clones.h"

namespace fathom::cpu {

FATHOM_INLINE float fast_exp(float x) {
  const float xc = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float n = std::floor(xc * 1.44269504088896341f + 0.5f);
  const float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = (p * r) * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  const float v = y * scale;
  return x < -87.0f ? 0.0f : v;
}

FATHOM_INLINE double fast_exp(double x) { return std::exp(x); }

}  // namespace fathom::cpu
