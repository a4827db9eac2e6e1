// log_softmax, its backward and the NLL loss against double-precision references, including
// logits large enough (1e4) that an unshifted exp() would overflow.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "check.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"

namespace {

using fathom::test::random_vector;
using fathom::test::Tol;
namespace cpu = fathom::cpu;

template <typename T>
std::vector<double> log_softmax_reference(int64_t rows, int64_t cols, const std::vector<T>& x) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double m = -INFINITY, s = 0.0;
    for (int64_t c = 0; c < cols; ++c) m = std::max(m, double(x[r * cols + c]));
    for (int64_t c = 0; c < cols; ++c) s += std::exp(double(x[r * cols + c]) - m);
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = double(x[r * cols + c]) - m - std::log(s);
  }
  return y;
}

template <typename T>
void check_log_softmax(int64_t rows, int64_t cols, double range, uint64_t seed) {
  const auto x = random_vector<T>(rows * cols, seed, -range, range);
  std::vector<T> y(x.size());
  cpu::log_softmax<T>(rows, cols, x.data(), y.data());
  const auto want = log_softmax_reference(rows, cols, x);
  // y carries one rounding of a value of size ~|x - max|: relative tolerance, plus an absolute
  // floor for entries near 0.
  CHECK_ALL_CLOSE(y.data(), want.data(), rows * cols, Tol<T>::rel, Tol<T>::rel);
  std::vector<double> row_sums(static_cast<size_t>(rows), 0.0);
  int64_t nonfinite = 0;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      nonfinite += !std::isfinite(y[r * cols + c]);
      row_sums[r] += std::exp(double(y[r * cols + c]));
    }
  }
  CHECK_EQ(nonfinite, int64_t{0});
  const std::vector<double> ones(static_cast<size_t>(rows), 1.0);
  CHECK_ALL_CLOSE(row_sums.data(), ones.data(), rows, 0.0, Tol<T>::rel);
}

template <typename T>
void check_log_softmax_backward(int64_t rows, int64_t cols, uint64_t seed) {
  const auto x = random_vector<T>(rows * cols, seed, -3, 3);
  const auto g = random_vector<T>(rows * cols, seed + 1);
  std::vector<T> y(x.size()), dx(x.size());
  cpu::log_softmax<T>(rows, cols, x.data(), y.data());
  cpu::log_softmax_backward<T>(rows, cols, g.data(), y.data(), dx.data());
  std::vector<double> want(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double gs = 0.0;
    for (int64_t c = 0; c < cols; ++c) gs += g[r * cols + c];
    for (int64_t c = 0; c < cols; ++c) {
      want[r * cols + c] = g[r * cols + c] - std::exp(double(y[r * cols + c])) * gs;
    }
  }
  // |g| <= 1 and sum_c exp(y) = 1, so |dx| <= 1 + cols; scale the tolerance by the row sum size.
  CHECK_ALL_CLOSE(dx.data(), want.data(), rows * cols, 0.0, Tol<T>::rel * double(cols));
  // Each row of the gradient of a log-softmax sums to zero when grad is constant per row.
  std::vector<T> ones(x.size(), T(1));
  cpu::log_softmax_backward<T>(rows, cols, ones.data(), y.data(), dx.data());
  std::vector<double> sums(static_cast<size_t>(rows), 0.0);
  for (int64_t i = 0; i < rows * cols; ++i) sums[i / cols] += dx[i];
  const std::vector<double> zeros(static_cast<size_t>(rows), 0.0);
  CHECK_ALL_CLOSE(sums.data(), zeros.data(), rows, 0.0, Tol<T>::rel * double(cols));
}

template <typename T>
void check_nll(int64_t rows, int64_t cols, uint64_t seed) {
  const auto logp = random_vector<T>(rows * cols, seed, -5, 0);
  std::mt19937_64 gen(seed + 1);
  std::vector<int32_t> labels(static_cast<size_t>(rows));
  std::vector<uint8_t> mask(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    mask[r] = gen() % 2;
    // Unmasked rows carry -1 ("unlabeled"): the kernels must not read or write through it.
    labels[r] = mask[r] ? static_cast<int32_t>(gen() % cols) : -1;
  }
  double total = 0.0;
  int64_t count = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (mask[r]) total += logp[r * cols + labels[r]], ++count;
  }
  T loss = T(-1);
  cpu::nll_loss<T>(rows, cols, logp.data(), labels.data(), mask.data(), &loss);
  CHECK(count > 0);
  CHECK_NEAR(loss, -total / count, 5.0 * Tol<T>::rel);

  const T g = T(1.7);
  std::vector<T> d(static_cast<size_t>(rows * cols), T(99));
  cpu::nll_loss_backward<T>(rows, cols, g, labels.data(), mask.data(), d.data());
  std::vector<double> want(d.size(), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    if (mask[r]) want[r * cols + labels[r]] = -double(g) / count;
  }
  CHECK_ALL_CLOSE(d.data(), want.data(), rows * cols, Tol<T>::rel, 0.0);

  // No mask: every row counts.
  std::vector<int32_t> all_labels(static_cast<size_t>(rows));
  total = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    all_labels[r] = static_cast<int32_t>(gen() % cols);
    total += logp[r * cols + all_labels[r]];
  }
  cpu::nll_loss<T>(rows, cols, logp.data(), all_labels.data(), nullptr, &loss);
  CHECK_NEAR(loss, -total / rows, 5.0 * Tol<T>::rel);
  cpu::nll_loss_backward<T>(rows, cols, g, all_labels.data(), nullptr, d.data());
  std::fill(want.begin(), want.end(), 0.0);
  for (int64_t r = 0; r < rows; ++r) want[r * cols + all_labels[r]] = -double(g) / rows;
  CHECK_ALL_CLOSE(d.data(), want.data(), rows * cols, Tol<T>::rel, 0.0);

  // Empty mask: count = 0 gives loss 0 and a zero gradient, never 0/0.
  const std::vector<uint8_t> none(static_cast<size_t>(rows), 0);
  cpu::nll_loss<T>(rows, cols, logp.data(), labels.data(), none.data(), &loss);
  CHECK_EQ(loss, T(0));
  cpu::nll_loss_backward<T>(rows, cols, g, labels.data(), none.data(), d.data());
  CHECK(d == std::vector<T>(d.size(), T(0)));
  cpu::nll_loss<T>(0, cols, nullptr, nullptr, nullptr, &loss);
  CHECK_EQ(loss, T(0));
}

}  // namespace

TEST(cpu_log_softmax_matches_reference) {
  check_log_softmax<float>(500, 71, 4.0, 1);  // 35500 elements: threaded
  check_log_softmax<double>(500, 71, 4.0, 2);
  check_log_softmax<float>(3, 1, 4.0, 3);  // one column: log_softmax = 0
  check_log_softmax<double>(7, 2, 4.0, 4);
}

TEST(cpu_log_softmax_large_logits_stable) {
  check_log_softmax<float>(200, 13, 1e4, 5);
  check_log_softmax<double>(200, 13, 1e4, 6);
  // Shifting a row by a constant leaves log_softmax unchanged.
  const std::vector<double> x = {1e4, 1e4 - 1, 1e4 - 2, -1e4};
  const std::vector<double> shifted = {0, -1, -2, -2e4};
  std::vector<double> y(4), z(4);
  cpu::log_softmax<double>(1, 4, x.data(), y.data());
  cpu::log_softmax<double>(1, 4, shifted.data(), z.data());
  CHECK_ALL_CLOSE(y.data(), z.data(), 4, 1e-12, 1e-12);
}

TEST(cpu_log_softmax_backward_matches_reference) {
  check_log_softmax_backward<float>(400, 97, 10);
  check_log_softmax_backward<double>(400, 97, 11);
}

TEST(cpu_nll_loss_with_mask_and_empty_mask) {
  check_nll<float>(1000, 7, 20);
  check_nll<double>(1000, 7, 21);
  check_nll<float>(30000, 3, 22);  // 90000 elements: threaded backward
}
