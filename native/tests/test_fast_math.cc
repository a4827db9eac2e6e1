// fast_exp and fast_log (the float polynomials of the CPU kernels' vector loops) against the C
// library over a sweep of float bit patterns, and their special values.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "check.h"
#include "cpu/fast_exp.h"
#include "cpu/fast_log.h"

namespace {

float from_bits(uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof(x));
  return x;
}

// |got − want| in units of the last place of want.
double ulps(float got, float want) {
  const float next = std::nextafter(want, std::numeric_limits<float>::infinity());
  return std::fabs(static_cast<double>(got) - want) / (static_cast<double>(next) - want);
}

}  // namespace

TEST(fast_log_is_within_one_ulp_of_logf_over_positive_floats) {
  double worst = 0;
  // Every 61st bit pattern from the smallest subnormal to the largest finite float.
  for (uint32_t b = 1; b < 0x7f800000u; b += 61) {
    const float x = from_bits(b);
    worst = std::fmax(worst, ulps(fathom::cpu::fast_log(x), std::log(x)));
  }
  CHECK_NEAR(worst, 0.0, 1.0);
  CHECK_EQ(fathom::cpu::fast_log(1.0f), 0.0f);
}

TEST(fast_log_gives_the_c_library_special_values) {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK_EQ(fathom::cpu::fast_log(0.0f), -inf);
  CHECK_EQ(fathom::cpu::fast_log(-0.0f), -inf);
  CHECK_EQ(fathom::cpu::fast_log(inf), inf);
  CHECK(std::isnan(fathom::cpu::fast_log(-1.0f)));
  CHECK(std::isnan(fathom::cpu::fast_log(-inf)));
  CHECK(std::isnan(fathom::cpu::fast_log(std::numeric_limits<float>::quiet_NaN())));
}

TEST(fast_exp_is_within_two_ulps_of_expf_where_it_is_used) {
  // Arguments in [−87, 87.5]: below −87 fast_exp flushes to 0 (expf's subnormal range), and it
  // clamps arguments at 88 (the softmax kernels only pass max-subtracted ones, ≤ 0).
  double worst = 0;
  for (int i = 0; i <= 174500; ++i) {
    const float x = -87.0f + 0.001f * static_cast<float>(i);
    worst = std::fmax(worst, ulps(fathom::cpu::fast_exp(x), std::exp(x)));
  }
  CHECK_NEAR(worst, 0.0, 2.0);
  CHECK_EQ(fathom::cpu::fast_exp(-100.0f), 0.0f);
  CHECK_EQ(fathom::cpu::fast_exp(0.0f), 1.0f);
}
