// Row-wise log-softmax and the negative log-likelihood loss over it (classification heads).
// Per-row sums run in double in column order, so rows are thread-count independent.
#include <cmath>

#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {
namespace {

// exp in the precision of the data: a float logit carries ~7 digits, so a double exp adds
// nothing the sum and output (double, then rounded to float) keep, and costs 2-3x expf.
inline double exp_of(float x) { return static_cast<double>(std::exp(x)); }
inline double exp_of(double x) { return std::exp(x); }

}  // namespace

template <typename T>
void log_softmax(int64_t rows, int64_t cols, const T* x, T* y) {
  if (cols <= 0) return;
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * cols;
    T* yr = y + r * cols;
    // Subtracting the max keeps exp() in range for logits of any size; the largest term is
    // exp(0) = 1, so the sum is in [1, cols] and its log is finite.
    double m = static_cast<double>(xr[0]);
    for (int64_t c = 1; c < cols; ++c) m = std::fmax(m, static_cast<double>(xr[c]));
    double s = 0.0;
    const T mt = static_cast<T>(m);  // m is one of the row's values: exact in T
    for (int64_t c = 0; c < cols; ++c) s += exp_of(static_cast<T>(xr[c] - mt));
    const double log_s = std::log(s);
    for (int64_t c = 0; c < cols; ++c) {
      yr[c] = static_cast<T>((static_cast<double>(xr[c]) - m) - log_s);
    }
  }
}

template <typename T>
void log_softmax_backward(int64_t rows, int64_t cols, const T* grad, const T* y, T* dx) {
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const T* gr = grad + r * cols;
    const T* yr = y + r * cols;
    T* dr = dx + r * cols;
    double gsum = 0.0;
    for (int64_t c = 0; c < cols; ++c) gsum += static_cast<double>(gr[c]);
    for (int64_t c = 0; c < cols; ++c) {
      dr[c] = static_cast<T>(static_cast<double>(gr[c]) - exp_of(yr[c]) * gsum);
    }
  }
}

// Sequential over rows: the loss is one scalar, and a fixed order keeps it reproducible. Labels
// of unmasked rows are never read, so they may hold anything (e.g. -1 for unlabeled nodes).
template <typename T>
void nll_loss(int64_t rows, int64_t cols, const T* logp, const int32_t* labels, const uint8_t* mask,
              T* loss) {
  double total = 0.0;
  int64_t count = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (mask && !mask[r]) continue;
    total += static_cast<double>(logp[r * cols + labels[r]]);
    ++count;
  }
  loss[0] = count > 0 ? static_cast<T>(-total / static_cast<double>(count)) : T(0);
}

template <typename T>
void nll_loss_backward(int64_t rows, int64_t cols, T g, const int32_t* labels, const uint8_t* mask,
                       T* dlogp) {
  int64_t count = rows;
  if (mask) {
    count = 0;
    for (int64_t r = 0; r < rows; ++r) count += mask[r] ? 1 : 0;
  }
  const T value =
      count > 0 ? static_cast<T>(-static_cast<double>(g) / static_cast<double>(count)) : T(0);
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    T* dr = dlogp + r * cols;
    for (int64_t c = 0; c < cols; ++c) dr[c] = T(0);
    if (!mask || mask[r]) dr[labels[r]] = value;
  }
}

template <typename T>
void nll_loss_backward_dev(int64_t rows, int64_t cols, const T* g_dev, const int32_t* labels,
                           const uint8_t* mask, T* dlogp) {
  nll_loss_backward<T>(rows, cols, g_dev[0], labels, mask, dlogp);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_softmax_loss 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
