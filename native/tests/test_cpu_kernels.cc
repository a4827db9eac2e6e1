// Elementwise CPU kernels and dropout against plain reference loops. Sizes cross the threading
// cutoff (32768) so both the serial and the OpenMP paths run.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "check.h"
#include "core/counter_rng.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"

namespace {

using fathom::test::random_vector;
using fathom::test::Tol;
namespace cpu = fathom::cpu;

constexpr int64_t kSizes[] = {0, 1, 37, 100003};

template <typename T>
void check_axpby_mul() {
  for (int64_t n : kSizes) {
    const auto x = random_vector<T>(n, 1), y = random_vector<T>(n, 2);
    std::vector<T> out(static_cast<size_t>(n));
    std::vector<double> want(static_cast<size_t>(n));
    cpu::axpby<T>(n, T(1.5), x.data(), T(-0.25), y.data(), out.data());
    for (int64_t i = 0; i < n; ++i) want[i] = 1.5 * x[i] - 0.25 * y[i];
    // a*x + b*y may cancel, so the error scales with |a*x| + |b*y| <= |a| + |b|, not the result.
    CHECK_ALL_CLOSE(out.data(), want.data(), n, 0.0, Tol<T>::rel * 1.75);
    cpu::axpby<T>(n, T(3), x.data(), T(9), nullptr, out.data());  // y null: b is ignored
    for (int64_t i = 0; i < n; ++i) want[i] = 3.0 * x[i];
    CHECK_ALL_CLOSE(out.data(), want.data(), n, Tol<T>::rel, 0.0);
    auto inplace = x;  // out aliasing x
    cpu::axpby<T>(n, T(2), inplace.data(), T(1), y.data(), inplace.data());
    for (int64_t i = 0; i < n; ++i) want[i] = 2.0 * x[i] + y[i];
    CHECK_ALL_CLOSE(inplace.data(), want.data(), n, 0.0, Tol<T>::rel * 3.0);
    inplace = y;  // out aliasing y
    cpu::mul<T>(n, x.data(), inplace.data(), inplace.data());
    for (int64_t i = 0; i < n; ++i) want[i] = static_cast<double>(x[i]) * y[i];
    CHECK_ALL_CLOSE(inplace.data(), want.data(), n, Tol<T>::rel, 0.0);
  }
}

template <typename T>
void check_bias_relu() {
  const int64_t rows = 1201, cols = 31;  // 37231 elements: threaded
  const auto x = random_vector<T>(rows * cols, 3), bias = random_vector<T>(cols, 4);
  std::vector<T> out(static_cast<size_t>(rows * cols));
  std::vector<double> want(out.size());
  cpu::bias_add<T>(rows, cols, x.data(), bias.data(), out.data());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) want[r * cols + c] = x[r * cols + c] + double(bias[c]);
  CHECK_ALL_CLOSE(out.data(), want.data(), rows * cols, Tol<T>::rel, 0.0);

  const int64_t n = rows * cols;
  std::vector<T> y(static_cast<size_t>(n)), dx(static_cast<size_t>(n));
  cpu::relu<T>(n, x.data(), y.data());
  const auto g = random_vector<T>(n, 5);
  cpu::relu_backward<T>(n, g.data(), y.data(), dx.data());
  int64_t wrong = 0;
  for (int64_t i = 0; i < n; ++i) {
    wrong += y[i] != (x[i] > 0 ? x[i] : T(0));
    wrong += dx[i] != (x[i] > 0 ? g[i] : T(0));
  }
  CHECK_EQ(wrong, int64_t{0});
  const T special[] = {std::numeric_limits<T>::quiet_NaN(), -std::numeric_limits<T>::infinity(),
                       std::numeric_limits<T>::infinity()};
  T r[3];
  cpu::relu<T>(3, special, r);
  CHECK(std::isnan(r[0]));  // NaN propagates, as in PyTorch
  CHECK_EQ(r[1], T(0));
  CHECK(std::isinf(r[2]));
}

template <typename T>
void check_fill_gather_masked_scale() {
  const int64_t n = 40000;
  std::vector<T> out(static_cast<size_t>(n));
  cpu::fill<T>(n, T(2.5), out.data());
  CHECK(out == std::vector<T>(static_cast<size_t>(n), T(2.5)));

  const auto in = random_vector<T>(1000, 6);
  std::vector<int32_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    perm[i] = (i % 7 == 3) ? -1 : static_cast<int32_t>((i * 31) % 1000);
  cpu::gather<T>(n, perm.data(), in.data(), out.data(), T(-9));
  int64_t wrong = 0;
  for (int64_t i = 0; i < n; ++i) wrong += out[i] != (perm[i] < 0 ? T(-9) : in[perm[i]]);
  CHECK_EQ(wrong, int64_t{0});

  const auto g = random_vector<T>(n, 7);
  std::vector<uint8_t> mask(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) mask[i] = (i * 7919) % 3 != 0;
  cpu::masked_scale<T>(n, g.data(), mask.data(), T(1.25), out.data());
  std::vector<double> want(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) want[i] = mask[i] ? 1.25 * g[i] : 0.0;
  CHECK_ALL_CLOSE(out.data(), want.data(), n, Tol<T>::rel, 0.0);
}

template <typename From, typename To>
void check_cast(const std::vector<From>& src) {
  std::vector<To> dst(src.size());
  cpu::cast<From, To>(static_cast<int64_t>(src.size()), src.data(), dst.data());
  int64_t wrong = 0;
  for (size_t i = 0; i < src.size(); ++i) wrong += dst[i] != static_cast<To>(src[i]);
  CHECK_EQ(wrong, int64_t{0});
}

template <typename T>
void check_dropout() {
  const int64_t n = 100000;
  const auto x = random_vector<T>(n, 8);
  for (double p : {0.1, 0.5, 0.9}) {
    std::vector<T> out(static_cast<size_t>(n)), out2(static_cast<size_t>(n));
    std::vector<uint8_t> mask(static_cast<size_t>(n)), mask2(static_cast<size_t>(n), 7);
    cpu::dropout<T>(n, p, 42, x.data(), out.data(), mask.data());
    cpu::dropout<T>(n, p, 42, x.data(), out2.data(), mask2.data());
    CHECK(mask == mask2);  // same seed, same mask
    CHECK(out == out2);
    cpu::dropout<T>(n, p, 43, x.data(), out2.data(), mask2.data());
    CHECK(mask != mask2);  // another seed, another mask
    int64_t kept = 0, not_rng = 0, not_binary = 0;
    std::vector<double> want(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      not_binary += mask[i] > 1;
      kept += mask[i];
      not_rng +=
          mask[i] != fathom::dropout_keep(fathom::dropout_rule(42, p), static_cast<uint64_t>(i));
      want[i] = static_cast<double>(x[i]) * mask[i] / (1.0 - p);
    }
    CHECK_EQ(not_rng, int64_t{0});
    CHECK_EQ(not_binary, int64_t{0});
    // Kept count is Binomial(n, 1-p): sd = sqrt(n p (1-p)) <= 158; allow 5 sd.
    const double sd = std::sqrt(n * p * (1.0 - p));
    CHECK_NEAR(static_cast<double>(kept), n * (1.0 - p), 5.0 * sd);
    CHECK_ALL_CLOSE(out.data(), want.data(), n, Tol<T>::rel, 0.0);
  }
  // p = 0 keeps everything unscaled; p = 1 drops everything (and yields 0, not NaN).
  std::vector<T> out(static_cast<size_t>(n));
  std::vector<uint8_t> mask(static_cast<size_t>(n));
  cpu::dropout<T>(n, 0.0, 1, x.data(), out.data(), mask.data());
  CHECK(out == x);
  cpu::dropout<T>(n, 1.0, 1, x.data(), out.data(), mask.data());
  CHECK(out == std::vector<T>(static_cast<size_t>(n), T(0)));
  CHECK(mask == std::vector<uint8_t>(static_cast<size_t>(n), 0));
}

}  // namespace

TEST(cpu_axpby_and_mul) {
  check_axpby_mul<float>();
  check_axpby_mul<double>();
}

TEST(cpu_bias_add_relu_relu_backward) {
  check_bias_relu<float>();
  check_bias_relu<double>();
}

TEST(cpu_fill_gather_masked_scale) {
  check_fill_gather_masked_scale<float>();
  check_fill_gather_masked_scale<double>();
}

TEST(cpu_cast_every_instantiation) {
  const auto f = random_vector<float>(40000, 9, -1e3, 1e3);
  const auto d = random_vector<double>(40000, 10, -1e3, 1e3);
  std::vector<int32_t> i32(40000);
  std::vector<uint8_t> u8(40000);
  for (size_t i = 0; i < i32.size(); ++i) {
    i32[i] = static_cast<int32_t>(i * 2654435761u);  // wide range, both signs
    u8[i] = static_cast<uint8_t>(i);
  }
  check_cast<float, double>(f);
  check_cast<double, float>(d);
  check_cast<int32_t, float>(i32);
  check_cast<int32_t, double>(i32);
  check_cast<uint8_t, float>(u8);
  check_cast<uint8_t, double>(u8);
  check_cast<float, float>(f);
  check_cast<double, double>(d);
}

TEST(cpu_dropout_mask_and_scale) {
  check_dropout<float>();
  check_dropout<double>();
}
