// Reductions: sums against long-double references, bit-identical results for 1 and 2 threads,
// argmax tie and NaN rules, non-finite counting.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "check.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using fathom::test::random_vector;
using fathom::test::Tol;
namespace cpu = fathom::cpu;

// Runs f with OpenMP limited to `threads`, restoring the previous setting.
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

template <typename T>
void check_sum(int64_t n, uint64_t seed) {
  const auto x = random_vector<T>(n, seed);
  long double want = 0, magnitude = 0;
  for (T v : x) want += v, magnitude += std::fabs(v);
  T got = T(-1);
  cpu::sum<T>(n, x.data(), &got);
  // Rounding error of any summation order is bounded by (terms per chain) * u * sum|x|.
  CHECK_NEAR(got, static_cast<double>(want), Tol<T>::rel * static_cast<double>(magnitude) + 1e-300);
}

template <typename T>
void check_sum_deterministic(int64_t n) {
  const auto x = random_vector<T>(n, 77, -1e3, 1e3);
  T one = 0, two = 0;
  with_threads(1, [&] { cpu::sum<T>(n, x.data(), &one); });
  with_threads(2, [&] { cpu::sum<T>(n, x.data(), &two); });
  CHECK(std::memcmp(&one, &two, sizeof(T)) == 0);
}

template <typename T>
void check_sum_rows(int64_t rows, int64_t cols, uint64_t seed) {
  const auto x = random_vector<T>(rows * cols, seed);
  std::vector<double> want(static_cast<size_t>(cols), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) want[c] += x[r * cols + c];
  std::vector<T> one(static_cast<size_t>(cols), T(-1)), two(static_cast<size_t>(cols), T(-2));
  with_threads(1, [&] { cpu::sum_rows<T>(rows, cols, x.data(), one.data()); });
  with_threads(2, [&] { cpu::sum_rows<T>(rows, cols, x.data(), two.data()); });
  CHECK_ALL_CLOSE(one.data(), want.data(), cols, 0.0, Tol<T>::rel * double(rows) + 1e-300);
  CHECK(one == two);
}

template <typename T>
void check_argmax() {
  const int64_t rows = 5000, cols = 9;
  auto x = random_vector<T>(rows * cols, 31);
  // Row 0: a tie picks the first index. Row 1: NaN wins. Row 2: all -inf picks 0.
  for (int64_t c = 0; c < cols; ++c) x[c] = T(1);
  x[cols + 4] = std::numeric_limits<T>::quiet_NaN();
  for (int64_t c = 0; c < cols; ++c) x[2 * cols + c] = -std::numeric_limits<T>::infinity();
  std::vector<int32_t> got(static_cast<size_t>(rows), -5);
  cpu::argmax_rows<T>(rows, cols, x.data(), got.data());
  CHECK_EQ(got[0], 0);
  CHECK_EQ(got[1], 4);
  CHECK_EQ(got[2], 0);
  int64_t wrong = 0;
  for (int64_t r = 3; r < rows; ++r) {
    int32_t best = 0;
    for (int32_t c = 1; c < cols; ++c) best = x[r * cols + c] > x[r * cols + best] ? c : best;
    wrong += got[r] != best;
  }
  CHECK_EQ(wrong, int64_t{0});
}

template <typename T>
void check_count_nonfinite() {
  const int64_t n = 100000;
  auto x = random_vector<T>(n, 41);
  int64_t got = -1;
  cpu::count_nonfinite<T>(n, x.data(), &got);
  CHECK_EQ(got, int64_t{0});
  x[0] = std::numeric_limits<T>::quiet_NaN();
  x[n - 1] = std::numeric_limits<T>::infinity();
  x[n / 2] = -std::numeric_limits<T>::infinity();
  x[12345] = std::numeric_limits<T>::max();  // finite
  cpu::count_nonfinite<T>(n, x.data(), &got);
  CHECK_EQ(got, int64_t{3});
  cpu::count_nonfinite<T>(0, nullptr, &got);
  CHECK_EQ(got, int64_t{0});
}

}  // namespace

TEST(cpu_sum_matches_reference) {
  for (int64_t n : {0, 1, 7, 4095, 4096, 4097, 100003}) {
    check_sum<float>(n, 100 + n);
    check_sum<double>(n, 200 + n);
  }
}

TEST(cpu_sum_bit_identical_across_thread_counts) {
  check_sum_deterministic<float>(1000003);
  check_sum_deterministic<double>(1000003);
}

TEST(cpu_sum_rows_matches_reference_and_is_deterministic) {
  check_sum_rows<float>(3001, 37, 1);
  check_sum_rows<double>(3001, 37, 2);
  check_sum_rows<float>(5, 3, 3);
  check_sum_rows<double>(0, 4, 4);  // no rows: zeros
}

TEST(cpu_argmax_rows_ties_and_nan) {
  check_argmax<float>();
  check_argmax<double>();
}

TEST(cpu_count_nonfinite) {
  check_count_nonfinite<float>();
  check_count_nonfinite<double>();
}
