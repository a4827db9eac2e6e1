// Layer normalization kernels and op: forward against a plain double loop, backward against
// central finite differences in double, thread-count independence, dbias against sum_rows, a
// large common offset, and argument errors.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"
#include "ops/layer_norm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using fathom::test::random_vector;
using fathom::test::to_double;
namespace cpu = fathom::cpu;

template <typename F>
void with_threads(int threads, F f) {
#ifdef _OPENMP
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  f();
  omp_set_num_threads(saved);
#else
  (void)threads;
  f();
#endif
}

struct Reference {
  std::vector<double> y, mean, rstd;
};

// Straight from the definition: sequential sums, two passes, biased variance.
Reference reference(const std::vector<double>& x, int64_t n, int64_t f, const double* w,
                    const double* b, double eps) {
  Reference r{std::vector<double>(x.size()), std::vector<double>(n), std::vector<double>(n)};
  for (int64_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (int64_t j = 0; j < f; ++j) s += x[i * f + j];
    const double m = s / static_cast<double>(f);
    double q = 0.0;
    for (int64_t j = 0; j < f; ++j) q += (x[i * f + j] - m) * (x[i * f + j] - m);
    const double rs = 1.0 / std::sqrt(q / static_cast<double>(f) + eps);
    r.mean[i] = m;
    r.rstd[i] = rs;
    for (int64_t j = 0; j < f; ++j)
      r.y[i * f + j] = (x[i * f + j] - m) * rs * (w ? w[j] : 1.0) + (b ? b[j] : 0.0);
  }
  return r;
}

// f64: the kernel and the loop sum the same terms in double in another order (≈ F·ε ≈ 1e-14 on
// outputs of size ≈ 2), so 1e-12. f32: the inputs are the same f32 values and the kernel works in
// double too, so the outputs differ by their final rounding to f32 (≤ 6e-8 relative): 1e-6.
template <typename T>
double forward_tol() {
  return sizeof(T) == 4 ? 1e-6 : 1e-12;
}

template <typename T>
void check_forward(int64_t n, int64_t f, bool with_w, bool with_b, uint64_t seed) {
  const auto x = random_vector<T>(n * f, seed, -2.0, 3.0);
  const auto w = random_vector<T>(f, seed + 1, 0.5, 1.5);
  const auto b = random_vector<T>(f, seed + 2);
  std::vector<T> y(x.size());
  std::vector<double> mean(n), rstd(n);
  cpu::layer_norm<T>(n, f, x.data(), with_w ? w.data() : nullptr, with_b ? b.data() : nullptr, 1e-5,
                     y.data(), mean.data(), rstd.data());
  const auto wd = to_double(w), bd = to_double(b);
  const Reference want = reference(to_double(x), n, f, with_w ? wd.data() : nullptr,
                                   with_b ? bd.data() : nullptr, 1e-5);
  CHECK_ALL_CLOSE(y.data(), want.y.data(), n * f, forward_tol<T>(), forward_tol<T>());
  CHECK_ALL_CLOSE(mean.data(), want.mean.data(), n, 1e-13, 1e-13);
  CHECK_ALL_CLOSE(rstd.data(), want.rstd.data(), n, 1e-12, 0.0);
}

TEST(layer_norm_forward_matches_a_plain_double_loop) {
  for (int64_t f : {1, 5, 8, 37, 130}) {
    for (int affine = 0; affine < 4; ++affine) {
      check_forward<float>(13, f, affine & 1, affine & 2, 100 + f);
      check_forward<double>(13, f, affine & 1, affine & 2, 200 + f);
    }
  }
}

// Rows of 1e6 + U(-1, 1): E[x²] − mean² would lose ≈ 1e12·ε ≈ 1e-4 of the variance; the sum of
// squares about the mean keeps the loop's precision.
TEST(layer_norm_forward_does_not_cancel_under_a_large_common_offset) {
  const int64_t n = 9, f = 33;
  auto x = random_vector<double>(n * f, 5);
  for (auto& v : x) v += 1e6;
  std::vector<double> y(x.size()), mean(n), rstd(n);
  cpu::layer_norm<double>(n, f, x.data(), nullptr, nullptr, 1e-5, y.data(), mean.data(),
                          rstd.data());
  const Reference want = reference(x, n, f, nullptr, nullptr, 1e-5);
  // The inputs' own rounding (ε·1e6 ≈ 1e-10 on values of spread ≈ 1) bounds what any method gets.
  CHECK_ALL_CLOSE(y.data(), want.y.data(), n * f, 0.0, 1e-8);
}

TEST(layer_norm_constant_rows_give_the_bias) {
  const int64_t n = 3, f = 6;
  std::vector<float> x(n * f, 3.7f), y(x.size());
  const auto b = random_vector<float>(f, 9);
  std::vector<double> mean(n), rstd(n);
  cpu::layer_norm<float>(n, f, x.data(), nullptr, b.data(), 1e-5, y.data(), mean.data(),
                         rstd.data());
  for (int64_t i = 0; i < n * f; ++i) CHECK_EQ(y[i], b[i % f]);
  for (int64_t i = 0; i < n; ++i) CHECK_NEAR(rstd[i], 1.0 / std::sqrt(1e-5), 1e-9);
}

// L = Σ y ⊙ r in double; central differences with h = 1e-6: truncation O(h²) ≈ 1e-12 and rounding
// O(ε·|L|/h) ≈ 1e-9, so 1e-6 relative (in the 2-norm) has a wide margin yet catches any wrong
// term (which is O(1)).
TEST(layer_norm_backward_matches_central_finite_differences) {
  const int64_t n = 5, f = 7;
  const double eps = 1e-5, h = 1e-6;
  for (int affine = 0; affine < 2; ++affine) {
    auto x = random_vector<double>(n * f, 31);
    auto w = random_vector<double>(f, 32, 0.5, 1.5);
    auto b = random_vector<double>(f, 33);
    const auto r = random_vector<double>(n * f, 34);
    const double* wp = affine ? w.data() : nullptr;
    std::vector<double> dx(x.size()), dw(f), db(f), y(x.size()), mean(n), rstd(n);
    cpu::layer_norm<double>(n, f, x.data(), wp, b.data(), eps, y.data(), mean.data(), rstd.data());
    cpu::layer_norm_backward<double>(n, f, x.data(), wp, mean.data(), rstd.data(), r.data(),
                                     dx.data(), dw.data(), db.data());
    auto loss = [&]() {
      std::vector<double> yy(x.size()), mm(n), rr(n);
      cpu::layer_norm<double>(n, f, x.data(), wp, b.data(), eps, yy.data(), mm.data(), rr.data());
      double l = 0;
      for (size_t i = 0; i < yy.size(); ++i) l += yy[i] * r[i];
      return l;
    };
    auto rel_err = [&](std::vector<double>& v, const std::vector<double>& analytic) {
      double diff = 0, norm = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        const double keep = v[i];
        v[i] = keep + h;
        const double up = loss();
        v[i] = keep - h;
        const double down = loss();
        v[i] = keep;
        const double fd = (up - down) / (2 * h);
        diff += (fd - analytic[i]) * (fd - analytic[i]);
        norm += fd * fd;
      }
      return std::sqrt(diff / norm);
    };
    CHECK(rel_err(x, dx) < 1e-6);
    CHECK(rel_err(b, db) < 1e-6);
    if (affine) CHECK(rel_err(w, dw) < 1e-6);
  }
}

// Any subset of dx, dweight, dbias gives the values of the full call; dbias has the bits of
// sum_rows(grad); and every output is bit-identical for one and two threads (several blocks of
// rows, above kParallelMin).
TEST(layer_norm_backward_outputs_are_independent_deterministic_and_dbias_is_sum_rows) {
  const int64_t n = 3001, f = 24;
  const auto x = random_vector<float>(n * f, 41);
  const auto w = random_vector<float>(f, 42, 0.5, 1.5);
  const auto b = random_vector<float>(f, 43);
  const auto g = random_vector<float>(n * f, 44);
  std::vector<float> y1(x.size()), y2(x.size()), dx1(x.size()), dx2(x.size()), dw1(f), dw2(f),
      db1(f), db2(f), cols(f);
  std::vector<double> m1(n), m2(n), r1(n), r2(n);
  with_threads(1, [&] {
    cpu::layer_norm<float>(n, f, x.data(), w.data(), b.data(), 1e-5, y1.data(), m1.data(),
                           r1.data());
    cpu::layer_norm_backward<float>(n, f, x.data(), w.data(), m1.data(), r1.data(), g.data(),
                                    dx1.data(), dw1.data(), db1.data());
  });
  with_threads(2, [&] {
    cpu::layer_norm<float>(n, f, x.data(), w.data(), b.data(), 1e-5, y2.data(), m2.data(),
                           r2.data());
    cpu::layer_norm_backward<float>(n, f, x.data(), w.data(), m2.data(), r2.data(), g.data(),
                                    dx2.data(), dw2.data(), db2.data());
  });
  CHECK(y1 == y2);
  CHECK(m1 == m2);
  CHECK(r1 == r2);
  CHECK(dx1 == dx2);
  CHECK(dw1 == dw2);
  CHECK(db1 == db2);
  cpu::sum_rows<float>(n, f, g.data(), cols.data());
  CHECK(std::memcmp(db1.data(), cols.data(), f * sizeof(float)) == 0);

  std::vector<float> dx_only(x.size()), dw_only(f), db_only(f);
  cpu::layer_norm_backward<float>(n, f, x.data(), w.data(), m1.data(), r1.data(), g.data(),
                                  dx_only.data(), nullptr, nullptr);
  cpu::layer_norm_backward<float>(n, f, x.data(), w.data(), m1.data(), r1.data(), g.data(), nullptr,
                                  dw_only.data(), nullptr);
  cpu::layer_norm_backward<float>(n, f, x.data(), w.data(), m1.data(), r1.data(), g.data(), nullptr,
                                  nullptr, db_only.data());
  CHECK(dx_only == dx1);
  CHECK(dw_only == dw1);
  CHECK(db_only == db1);
}

TEST(layer_norm_backward_with_no_rows_gives_zero_parameter_gradients) {
  std::vector<double> dw(4, -1.0), db(4, -1.0);
  cpu::layer_norm_backward<double>(0, 4, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                   dw.data(), db.data());
  for (int i = 0; i < 4; ++i) {
    CHECK_EQ(dw[i], 0.0);
    CHECK_EQ(db[i], 0.0);
  }
}

TEST(layer_norm_op_returns_the_kernel_results_and_f64_stats) {
  using fathom::Device;
  using fathom::DType;
  using fathom::Tensor;
  const int64_t n = 4, f = 3;
  Tensor x = Tensor::empty({n, f}, DType::F32, Device::CPU);
  Tensor w = Tensor::empty({f}, DType::F32, Device::CPU);
  const auto xv = random_vector<float>(n * f, 51);
  const auto wv = random_vector<float>(f, 52);
  std::memcpy(x.data<float>(), xv.data(), xv.size() * sizeof(float));
  std::memcpy(w.data<float>(), wv.data(), wv.size() * sizeof(float));
  auto r = fathom::ops::layer_norm(x, w, Tensor(), 1e-3);
  CHECK(r.out.dtype() == DType::F32 && r.out.shape() == x.shape());
  CHECK(r.stats.dtype() == DType::F64 && r.stats.shape() == fathom::Shape({2, n}));
  std::vector<float> y(n * f);
  std::vector<double> mean(n), rstd(n);
  cpu::layer_norm<float>(n, f, xv.data(), wv.data(), nullptr, 1e-3, y.data(), mean.data(),
                         rstd.data());
  CHECK(std::memcmp(r.out.data<float>(), y.data(), y.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(r.stats.data<double>(), mean.data(), n * sizeof(double)) == 0);
  CHECK(std::memcmp(r.stats.data<double>() + n, rstd.data(), n * sizeof(double)) == 0);
  Tensor g = Tensor::empty({n, f}, DType::F32, Device::CPU);
  std::memcpy(g.data<float>(), xv.data(), xv.size() * sizeof(float));
  auto grads = fathom::ops::layer_norm_backward(g, x, w, r.stats, true, false, true);
  CHECK(grads.dx.defined() && !grads.dweight.defined() && grads.dbias.defined());
  CHECK(grads.dbias.shape() == fathom::Shape({f}));
  // No rows: empty output, zero parameter gradients.
  Tensor x0 = Tensor::empty({0, f}, DType::F32, Device::CPU);
  auto r0 = fathom::ops::layer_norm(x0, w, Tensor(), 1e-5);
  CHECK(r0.out.numel() == 0 && r0.stats.shape() == fathom::Shape({2, 0}));
  auto g0 = fathom::ops::layer_norm_backward(x0, x0, w, r0.stats, true, true, true);
  for (int64_t i = 0; i < f; ++i) CHECK_EQ(g0.dweight.data<float>()[i], 0.0f);
}

TEST(layer_norm_op_rejects_bad_arguments_naming_op_argument_and_shapes) {
  using fathom::Device;
  using fathom::DType;
  using fathom::ErrorKind;
  using fathom::Tensor;
  namespace ops = fathom::ops;
  auto zeros = [](const fathom::Shape& s, DType d) { return Tensor::zeros(s, d, Device::CPU); };
  const Tensor x = zeros({4, 3}, DType::F64);
  const Tensor w = zeros({3}, DType::F64);
  const Tensor none;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_FAILS(ops::layer_norm(zeros({4}, DType::F64), w, w, 1e-5), ErrorKind::Shape, "layerNorm",
              "argument x must be 2-D", "f64[4]");
  CHECK_FAILS(ops::layer_norm(zeros({4, 3}, DType::I32), none, none, 1e-5), ErrorKind::Type,
              "layerNorm", "argument x must be f32 or f64", "i32[4, 3]");
  CHECK_FAILS(ops::layer_norm(zeros({4, 0}, DType::F64), none, none, 1e-5), ErrorKind::Shape,
              "layerNorm", "argument x is f64[4, 0]", "at least one column");
  CHECK_FAILS(ops::layer_norm(x, zeros({4}, DType::F64), none, 1e-5), ErrorKind::Shape, "layerNorm",
              "argument weight is f64[4] but x is f64[4, 3]", "must be [3]");
  CHECK_FAILS(ops::layer_norm(x, zeros({1, 3}, DType::F64), none, 1e-5), ErrorKind::Shape,
              "argument weight is f64[1, 3]");
  CHECK_FAILS(ops::layer_norm(x, zeros({3}, DType::F32), none, 1e-5), ErrorKind::Type, "layerNorm",
              "argument weight is f32[3] but x is f64[4, 3]");
  CHECK_FAILS(ops::layer_norm(x, w, zeros({2}, DType::F64), 1e-5), ErrorKind::Shape, "layerNorm",
              "argument bias is f64[2] but x is f64[4, 3]");
  for (double eps : {0.0, -1.0, nan, inf}) {
    CHECK_FAILS(ops::layer_norm(x, w, w, eps), ErrorKind::Range, "layerNorm",
                "argument eps = ", "must be a finite number > 0", "f64[4, 3]");
  }
  const auto r = ops::layer_norm(x, w, w, 1e-5);
  CHECK_FAILS(ops::layer_norm_backward(zeros({4, 2}, DType::F64), x, w, r.stats, true, true, true),
              ErrorKind::Shape, "layerNormBackward", "argument grad is f64[4, 2]", "f64[4, 3]");
  CHECK_FAILS(ops::layer_norm_backward(x, x, w, zeros({2, 3}, DType::F64), true, true, true),
              ErrorKind::Shape, "layerNormBackward", "argument stats is f64[2, 3]",
              "must be [2, 4]");
  CHECK_FAILS(ops::layer_norm_backward(x, x, w, zeros({2, 4}, DType::F32), true, true, true),
              ErrorKind::Type, "layerNormBackward", "argument stats must be f64");
  CHECK_FAILS(ops::layer_norm_backward(x, x, none, r.stats, true, true, true), ErrorKind::Type,
              "layerNormBackward", "weight is null");
}

}  // namespace
