// SpMM and SDDMM on random CSR matrices (with empty rows and duplicate columns) against naive
// double-precision loops, plus the nonzero-balanced row partition they share.
#include <algorithm>
#include <cmath>
#include <vector>

#include "check.h"
#include "cpu/csr_partition.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using fathom::test::random_csr;
using fathom::test::random_vector;
using fathom::test::RandomCsr;
using fathom::test::Tol;

template <typename T>
std::vector<double> spmm_reference(const RandomCsr& a, int64_t F, const T* vals,
                                   const std::vector<T>& X, double alpha, double self_scale) {
  std::vector<double> Y(static_cast<size_t>(a.rows * F), 0.0);
  for (int64_t r = 0; r < a.rows; ++r) {
    for (int64_t f = 0; f < F; ++f) {
      double acc = 0.0;
      for (int32_t k = a.rowptr[r]; k < a.rowptr[r + 1]; ++k) {
        acc += (vals ? static_cast<double>(vals[k]) : 1.0) * X[a.col[k] * F + f];
      }
      Y[r * F + f] = alpha * acc + (self_scale != 0.0 ? self_scale * X[r * F + f] : 0.0);
    }
  }
  return Y;
}

template <typename T>
void check_spmm(int64_t rows, int64_t cols, int64_t F, int max_degree, bool weighted, double alpha,
                double self_scale, uint64_t seed) {
  const RandomCsr a = random_csr(rows, cols, max_degree, seed);
  const auto vals = random_vector<T>(static_cast<int64_t>(a.col.size()), seed + 1);
  const auto X = random_vector<T>(cols * F, seed + 2);
  std::vector<T> Y(static_cast<size_t>(rows * F), T(-7));  // stale contents must be overwritten
  const T* v = weighted ? vals.data() : nullptr;
  fathom::cpu::spmm<T>(rows, F, a.rowptr.data(), a.col.data(), v, X.data(), Y.data(),
                       static_cast<T>(alpha), static_cast<T>(self_scale));
  const auto want = spmm_reference(a, F, v, X, alpha, self_scale);
  // |X|, |w| <= 1: a row sums at most |alpha| * max_degree + |self_scale| in magnitude.
  const double scale = std::fabs(alpha) * max_degree + std::fabs(self_scale);
  CHECK_ALL_CLOSE(Y.data(), want.data(), rows * F, 0.0, Tol<T>::rel * scale);
  // Empty rows hold exactly the self term.
  for (int64_t r = 0; r < rows; r += 5) {
    if (a.rowptr[r] != a.rowptr[r + 1]) continue;
    const T expect = self_scale != 0.0 ? static_cast<T>(self_scale) * X[r * F] : T(0);
    CHECK_EQ(Y[r * F], expect);
  }
}

// The fused layer against the double reference (plus bias, then ReLU), and to the bit against
// spmm, bias_add and relu run one after the other.
template <typename T>
void check_spmm_bias_act(int64_t n, int64_t F, bool weighted, bool with_bias, bool relu,
                         double alpha, double self_scale, uint64_t seed) {
  const RandomCsr a = random_csr(n, n, 10, seed);
  const auto vals = random_vector<T>(static_cast<int64_t>(a.col.size()), seed + 1);
  const auto X = random_vector<T>(n * F, seed + 2);
  const auto bias = random_vector<T>(F, seed + 3);
  const T* v = weighted ? vals.data() : nullptr;
  const T* b = with_bias ? bias.data() : nullptr;
  std::vector<T> Y(static_cast<size_t>(n * F), T(-7)), Z(static_cast<size_t>(n * F));
  fathom::cpu::spmm_bias_act<T>(n, F, a.rowptr.data(), a.col.data(), v, X.data(), Y.data(),
                                static_cast<T>(alpha), static_cast<T>(self_scale), b, relu);
  auto want = spmm_reference(a, F, v, X, alpha, self_scale);
  for (int64_t i = 0; i < n * F; ++i) {
    if (b) want[i] += static_cast<double>(b[i % F]);
    if (relu) want[i] = std::max(want[i], 0.0);
  }
  const double scale = std::fabs(alpha) * 10 + std::fabs(self_scale) + 1;
  CHECK_ALL_CLOSE(Y.data(), want.data(), n * F, 0.0, Tol<T>::rel * scale);
  fathom::cpu::spmm<T>(n, F, a.rowptr.data(), a.col.data(), v, X.data(), Z.data(),
                       static_cast<T>(alpha), static_cast<T>(self_scale));
  if (b) fathom::cpu::bias_add<T>(n, F, Z.data(), b, Z.data());
  if (relu) fathom::cpu::relu<T>(n * F, Z.data(), Z.data());
  bool same = true;
  for (int64_t i = 0; i < n * F; ++i) same = same && Y[i] == Z[i];
  CHECK(same);
}

template <typename T>
void check_sddmm(int64_t rows, int64_t cols, int64_t F, int max_degree, uint64_t seed) {
  const RandomCsr a = random_csr(rows, cols, max_degree, seed);
  const int64_t nnz = static_cast<int64_t>(a.col.size());
  const auto A = random_vector<T>(rows * F, seed + 1);
  const auto B = random_vector<T>(cols * F, seed + 2);
  std::vector<T> out(static_cast<size_t>(nnz), T(-7));
  fathom::cpu::sddmm<T>(rows, F, a.rowptr.data(), a.col.data(), A.data(), B.data(), out.data());
  std::vector<double> want(static_cast<size_t>(nnz));
  for (int64_t r = 0; r < rows; ++r) {
    for (int32_t k = a.rowptr[r]; k < a.rowptr[r + 1]; ++k) {
      double acc = 0.0;
      for (int64_t f = 0; f < F; ++f)
        acc += static_cast<double>(A[r * F + f]) * B[a.col[k] * F + f];
      want[k] = acc;
    }
  }
  CHECK_ALL_CLOSE(out.data(), want.data(), nnz, 0.0, Tol<T>::rel * static_cast<double>(F));
}

}  // namespace

TEST(cpu_spmm_weighted_with_self_scale) {
  check_spmm<float>(300, 300, 33, 12, true, 0.7, 1.3, 10);
  check_spmm<double>(300, 300, 33, 12, true, 0.7, 1.3, 20);
}

TEST(cpu_spmm_unweighted) {
  check_spmm<float>(301, 301, 17, 9, false, 1.0, 0.0, 30);
  check_spmm<double>(301, 301, 17, 9, false, 1.0, 0.0, 40);
  check_spmm<double>(64, 64, 5, 4, false, -2.0, 0.5, 45);
}

TEST(cpu_spmm_rectangular) {
  check_spmm<float>(200, 450, 19, 15, true, 1.0, 0.0, 50);
  check_spmm<double>(200, 450, 19, 15, false, 0.5, 0.0, 60);
}

TEST(cpu_spmm_small_serial) {
  check_spmm<float>(7, 7, 3, 3, true, 1.0, 1.0, 70);
  check_spmm<double>(1, 1, 1, 2, true, 1.0, 1.0, 80);
  check_spmm<double>(0, 4, 3, 2, true, 1.0, 0.0, 90);
}

TEST(cpu_spmm_bias_act_matches_reference_and_unfused_composition) {
  // Widths: one narrow register block (5), a full block plus a tail (33 f64, 70 f32), tail only.
  for (int64_t F : {1, 5, 16, 33, 70}) {
    for (int mode = 0; mode < 4; ++mode) {
      const bool with_bias = (mode & 1) != 0, relu = (mode & 2) != 0;
      check_spmm_bias_act<float>(257, F, true, with_bias, relu, 0.6, 0.4, 100 + F + mode);
      check_spmm_bias_act<double>(257, F, mode == 0, with_bias, relu, 1.0, 0.0, 200 + F + mode);
    }
  }
  check_spmm_bias_act<double>(3000, 40, true, true, true, 0.8, 0.2, 300);
}

TEST(cpu_spmm_thread_count_independent) {
#ifdef _OPENMP
  const RandomCsr a = random_csr(4000, 4000, 20, 5);
  const int64_t F = 24;
  const auto X = random_vector<float>(4000 * F, 6);
  const auto vals = random_vector<float>(static_cast<int64_t>(a.col.size()), 7);
  std::vector<float> Y1(4000 * F), Y2(4000 * F);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  fathom::cpu::spmm<float>(4000, F, a.rowptr.data(), a.col.data(), vals.data(), X.data(), Y1.data(),
                           1.f, 1.f);
  omp_set_num_threads(2);
  fathom::cpu::spmm<float>(4000, F, a.rowptr.data(), a.col.data(), vals.data(), X.data(), Y2.data(),
                           1.f, 1.f);
  omp_set_num_threads(saved);
  CHECK(Y1 == Y2);
#endif
}

TEST(cpu_sddmm_matches_reference) {
  check_sddmm<float>(300, 250, 37, 12, 100);
  check_sddmm<double>(300, 250, 37, 12, 110);
  check_sddmm<float>(9, 4, 3, 3, 120);  // F below the 8-lane width
  check_sddmm<double>(50, 50, 1, 5, 130);
}

TEST(cpu_csr_partition_covers_rows_and_balances_nonzeros) {
  // One hub row with most of the nonzeros, then many light rows.
  std::vector<int32_t> rowptr = {0, 50000};
  for (int r = 0; r < 10000; ++r) rowptr.push_back(rowptr.back() + (r % 3));
  const int64_t rows = static_cast<int64_t>(rowptr.size()) - 1;
  const auto b = fathom::cpu::balance_csr_rows(rows, 8, rowptr.data());
  CHECK(b.size() >= 2);
  CHECK_EQ(b.front(), int64_t{0});
  CHECK_EQ(b.back(), rows);
  bool increasing = true;
  for (size_t i = 1; i < b.size(); ++i) increasing = increasing && b[i] > b[i - 1];
  CHECK(increasing);
  if (b.size() > 2) CHECK_EQ(b[1], int64_t{1});  // the hub row is a chunk of its own
  // Tiny inputs stay one chunk (no parallel region).
  const int32_t small[] = {0, 1, 1, 3};
  const auto s = fathom::cpu::balance_csr_rows(3, 2, small);
  CHECK(s == (std::vector<int64_t>{0, 3}));
  const int32_t empty[] = {0};
  CHECK(fathom::cpu::balance_csr_rows(0, 4, empty) == (std::vector<int64_t>{0, 0}));
}
