// Diagnostics kernels (cpu/diag.cc) against direct double references of docs/methods.md §4,
// thread-count independence, and the op's argument errors.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"
#include "ops/diag.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using fathom::test::random_vector;
namespace cpu = fathom::cpu;

// Inputs are compared through their own values (to_double of the T vector): both sides
// accumulate in double, so only the summation order differs.
constexpr double kRel = 1e-11;

template <typename T>
void check_moments() {
  const int64_t n = 300, f = 6;  // more than one 256-row block
  auto x = random_vector<T>(n * f, 3);
  for (int64_t c = 0; c < f; ++c) x[17 * f + c] = T(0);  // a zero row has no direction
  const auto xd = fathom::test::to_double(x);
  std::vector<double> out(3 + 2 * f + f * f);
  cpu::feature_moments<T>(n, f, x.data(), true, out.data());
  std::vector<double> mean(f, 0.0), unit(f, 0.0), gram(f * f, 0.0);
  double sq = 0.0, centered = 0.0, nonzero = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    double r = 0.0;
    for (int64_t c = 0; c < f; ++c) r += xd[i * f + c] * xd[i * f + c];
    sq += r;
    if (r > 0) {
      nonzero += 1;
      for (int64_t c = 0; c < f; ++c) unit[c] += xd[i * f + c] / std::sqrt(r);
    }
    for (int64_t c = 0; c < f; ++c) mean[c] += xd[i * f + c] / static_cast<double>(n);
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t a = 0; a < f; ++a) {
      centered += (xd[i * f + a] - mean[a]) * (xd[i * f + a] - mean[a]);
      for (int64_t b = 0; b < f; ++b)
        gram[a * f + b] += (xd[i * f + a] - mean[a]) * (xd[i * f + b] - mean[b]);
    }
  }
  CHECK_NEAR(out[0], sq, kRel * sq);
  CHECK_EQ(out[1], nonzero);
  CHECK_NEAR(out[2], centered, kRel * centered);
  CHECK_ALL_CLOSE(out.data() + 3, mean.data(), f, kRel, kRel);
  CHECK_ALL_CLOSE(out.data() + 3 + f, unit.data(), f, kRel, kRel * n);
  CHECK_ALL_CLOSE(out.data() + 3 + 2 * f, gram.data(), f * f, kRel, kRel * n);
}

TEST(feature_moments_match_a_double_reference_for_float_and_double) {
  check_moments<float>();
  check_moments<double>();
}

// Ring of n nodes with self loops (every row length 3): E = tr(Xᵀ(I − P)X), P = Ã/3.
TEST(dirichlet_energy_matches_the_trace_form_on_a_ring) {
  const int64_t n = 10, f = 3;
  std::vector<int32_t> rowptr(n + 1), col;
  for (int64_t i = 0; i < n; ++i) {
    rowptr[i] = static_cast<int32_t>(col.size());
    col.push_back(static_cast<int32_t>((i + n - 1) % n));
    col.push_back(static_cast<int32_t>(i));
    col.push_back(static_cast<int32_t>((i + 1) % n));
  }
  rowptr[n] = static_cast<int32_t>(col.size());
  const auto x = random_vector<double>(n * f, 5);
  double e = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t c = 0; c < f; ++c) {
      double px = 0.0;
      for (int32_t k = rowptr[i]; k < rowptr[i + 1]; ++k) px += x[col[k] * f + c] / 3.0;
      e += x[i * f + c] * (x[i * f + c] - px);
    }
  }
  double got = 0.0;
  cpu::dirichlet_energy<double>(n, f, rowptr.data(), col.data(), x.data(), &got);
  CHECK_NEAR(got, e, 1e-12 * e);
  const std::vector<double> constant(n * f, 2.5);
  cpu::dirichlet_energy<double>(n, f, rowptr.data(), col.data(), constant.data(), &got);
  CHECK(got == 0.0);
}

TEST(diagnostics_reductions_are_bit_identical_for_one_and_two_threads) {
#ifdef _OPENMP
  const int64_t n = 140000, f = 16;  // above the diagnostics kernels' parallel threshold (2^21)
  const auto x = random_vector<float>(n * f, 8);
  const auto y = random_vector<float>(n * f, 9);
  std::vector<double> a(3 + 2 * f), b(3 + 2 * f);
  double sa = 0, sb = 0;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  cpu::feature_moments<float>(n, f, x.data(), false, a.data());
  cpu::sum_squares<float>(n * f, x.data(), y.data(), &sa);
  omp_set_num_threads(2);
  cpu::feature_moments<float>(n, f, x.data(), false, b.data());
  cpu::sum_squares<float>(n * f, x.data(), y.data(), &sb);
  omp_set_num_threads(saved);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
  CHECK(sa == sb);
#endif
}

TEST(diagnostics_ops_reject_bad_arguments_naming_them) {
  using fathom::Device;
  using fathom::DType;
  using fathom::ErrorKind;
  using fathom::Tensor;
  Tensor v = Tensor::empty({4}, DType::F64, Device::CPU);
  Tensor xi = Tensor::empty({4, 3}, DType::I32, Device::CPU);
  Tensor x = Tensor::empty({4, 3}, DType::F32, Device::CPU);
  Tensor y = Tensor::empty({4, 2}, DType::F32, Device::CPU);
  CHECK_FAILS(fathom::ops::feature_moments(v, false), ErrorKind::Shape, "argument x must be 2-D");
  CHECK_FAILS(fathom::ops::feature_moments(xi, false), ErrorKind::Type,
              "argument x must be f32 or f64");
  CHECK_FAILS(fathom::ops::sum_squares(x, y), ErrorKind::Shape, "argument y");
}

}  // namespace
