// PairNorm kernels and op: forward against a direct double reference of docs/methods.md §2.5,
// backward against central finite differences, thread-count independence, and argument errors.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"
#include "ops/norm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using fathom::test::random_vector;
using fathom::test::Tol;
namespace cpu = fathom::cpu;

// PN / PN-SI straight from the definition, in double.
std::vector<double> reference(const std::vector<double>& x, int64_t n, int64_t f, double s,
                              double eps, bool si) {
  std::vector<double> mean(f, 0.0), xc(x.size()), row(n, 0.0), out(x.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) mean[j] += x[i * f + j] / static_cast<double>(n);
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < f; ++j) {
      xc[i * f + j] = x[i * f + j] - mean[j];
      row[i] += xc[i * f + j] * xc[i * f + j];
    }
    total += row[i];
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j)
      out[i * f + j] =
          s * xc[i * f + j] / std::sqrt(eps + (si ? row[i] : total / static_cast<double>(n)));
  return out;
}

template <typename T>
void check_forward(bool si) {
  const int64_t n = 37, f = 5;
  const auto x = random_vector<T>(n * f, 7);
  std::vector<T> out(x.size());
  cpu::pair_norm<T>(n, f, x.data(), 1.3, 1e-5, si, out.data());
  const auto want = reference(fathom::test::to_double(x), n, f, 1.3, 1e-5, si);
  CHECK_ALL_CLOSE(out.data(), want.data(), n * f, 10 * Tol<T>::rel, 10 * Tol<T>::rel);
}

TEST(pair_norm_forward_matches_the_definition_for_pn_and_pn_si) {
  for (bool si : {false, true}) {
    check_forward<float>(si);
    check_forward<double>(si);
  }
}

// L = Σ out ⊙ r; h = 1e-6 gives truncation O(h²) and rounding O(ε/h) ≈ 1e-10, so 1e-6 relative is
// ample.
TEST(pair_norm_backward_matches_central_finite_differences) {
  const int64_t n = 6, f = 4;
  const double s = 0.8, eps = 1e-5, h = 1e-6;
  for (bool si : {false, true}) {
    auto x = random_vector<double>(n * f, 11);
    const auto r = random_vector<double>(n * f, 12);
    std::vector<double> dx(x.size()), out(x.size());
    cpu::pair_norm_backward<double>(n, f, x.data(), r.data(), s, eps, si, dx.data());
    auto loss = [&]() {
      cpu::pair_norm<double>(n, f, x.data(), s, eps, si, out.data());
      double l = 0;
      for (size_t i = 0; i < out.size(); ++i) l += out[i] * r[i];
      return l;
    };
    double diff = 0, norm = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double keep = x[i];
      x[i] = keep + h;
      const double up = loss();
      x[i] = keep - h;
      const double down = loss();
      x[i] = keep;
      const double fd = (up - down) / (2 * h);
      diff += (fd - dx[i]) * (fd - dx[i]);
      norm += fd * fd;
    }
    CHECK(std::sqrt(diff / norm) < 1e-6);
  }
}

TEST(pair_norm_is_bit_identical_for_one_and_two_threads) {
#ifdef _OPENMP
  const int64_t n = 3000, f = 24;  // above kParallelMin, several row blocks
  const auto x = random_vector<float>(n * f, 21);
  const auto g = random_vector<float>(n * f, 22);
  for (bool si : {false, true}) {
    std::vector<float> a(x.size()), b(x.size()), da(x.size()), db(x.size());
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    cpu::pair_norm<float>(n, f, x.data(), 1.0, 1e-5, si, a.data());
    cpu::pair_norm_backward<float>(n, f, x.data(), g.data(), 1.0, 1e-5, si, da.data());
    omp_set_num_threads(2);
    cpu::pair_norm<float>(n, f, x.data(), 1.0, 1e-5, si, b.data());
    cpu::pair_norm_backward<float>(n, f, x.data(), g.data(), 1.0, 1e-5, si, db.data());
    omp_set_num_threads(saved);
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(da.data(), db.data(), da.size() * sizeof(float)) == 0);
  }
#endif
}

TEST(pair_norm_op_rejects_bad_arguments_naming_them) {
  using fathom::Device;
  using fathom::DType;
  using fathom::ErrorKind;
  using fathom::Tensor;
  Tensor x = Tensor::empty({4, 3}, DType::F64, Device::CPU);
  for (int i = 0; i < 12; ++i) x.data<double>()[i] = i;
  Tensor v = Tensor::empty({4}, DType::F64, Device::CPU);
  Tensor g = Tensor::empty({4, 2}, DType::F64, Device::CPU);
  Tensor xi = Tensor::empty({4, 3}, DType::I32, Device::CPU);
  CHECK_FAILS(fathom::ops::pair_norm(v, 1.0, 1e-5, false), ErrorKind::Shape,
              "argument x must be 2-D");
  CHECK_FAILS(fathom::ops::pair_norm(x, 0.0, 1e-5, false), ErrorKind::Range, "argument scale = 0");
  CHECK_FAILS(fathom::ops::pair_norm(x, 1.0, -1.0, false), ErrorKind::Range, "argument eps = -1");
  CHECK_FAILS(fathom::ops::pair_norm(xi, 1.0, 1e-5, false), ErrorKind::Type, "must be f32 or f64");
  CHECK_FAILS(fathom::ops::pair_norm_backward(g, x, 1.0, 1e-5, true), ErrorKind::Shape,
              "pairNormBackward");
}

}  // namespace
