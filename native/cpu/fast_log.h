// Natural log for the CPU kernels' vector loops (the power-mean aggregation's powers, exp(p·ln r)).
// float: a Cephes-style polynomial on the mantissa (within ~1 ulp of logf for normal and
// subnormal inputs) that compiles to straight-line vector code, instead of calling logf once per
// element; the special values are selects, as logf gives them (0 → −∞, negative → NaN, +∞ and
// NaN pass through). double keeps std::log (reference precision).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "simd_clones.h"

namespace fathom::cpu {

FATHOM_INLINE float fast_log(float x) {
  // Subnormals: scale into the normal range first (2^23) and take 23 off the exponent.
  const bool tiny = x < 1.17549435e-38f;
  const float xs = tiny ? x * 8388608.0f : x;
  int32_t bits;
  std::memcpy(&bits, &xs, sizeof(bits));
  // x = m · 2^e with m in [√½, √2): the polynomial is accurate around 1.
  int32_t e = ((bits >> 23) & 0xff) - 126 - (tiny ? 23 : 0);
  bits = (bits & 0x007fffff) | 0x3f000000;  // m in [0.5, 1)
  float m;
  std::memcpy(&m, &bits, sizeof(m));
  const bool low = m < 0.707106781186547524f;
  e -= low ? 1 : 0;
  const float r = low ? m + m - 1.0f : m - 1.0f;
  const float z = r * r;
  float y = 7.0376836292e-2f;
  y = y * r - 1.1514610310e-1f;
  y = y * r + 1.1676998740e-1f;
  y = y * r - 1.2420140846e-1f;
  y = y * r + 1.4249322787e-1f;
  y = y * r - 1.6668057665e-1f;
  y = y * r + 2.0000714765e-1f;
  y = y * r - 2.4999993993e-1f;
  y = y * r + 3.3333331174e-1f;
  y = y * r * z;
  const float fe = static_cast<float>(e);
  y += -2.12194440e-4f * fe;
  y += -0.5f * z;
  const float v = (r + y) + 0.693359375f * fe;
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  return x > 0.0f ? (x < inf ? v : x) : (x == 0.0f ? -inf : (x < 0.0f ? nan : x));
}

FATHOM_INLINE double fast_log(double x) { return std::log(x); }

}  // namespace fathom::cpu
