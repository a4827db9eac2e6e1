// Layer normalization (core/kernel_list.inc) on the CPU. One thread owns a row: the
// row is read from memory once, and its mean, its sum of squares about that mean and its output
// are three sweeps over it while it sits in L1, all arithmetic in double. The row reductions use
// eight fixed lanes (the order depends on the width alone, and the compiler can vectorise them).
// The backward's dweight and dbias are summed per block of kRowSumBlock rows by the block's
// thread and combined in block order (row_sums.h): no atomics, bit-identical for any thread count.
#include <cmath>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "row_sums.h"

namespace fathom::cpu {
namespace {

constexpr int kLanes = 8;

double fold(const double (&lane)[kLanes]) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// Σ_c x[c] in double.
template <typename T>
double row_sum(const T* x, int64_t n) {
  double lane[kLanes] = {};
  int64_t c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int l = 0; l < kLanes; ++l) lane[l] += static_cast<double>(x[c + l]);
  }
  for (; c < n; ++c) lane[0] += static_cast<double>(x[c]);
  return fold(lane);
}

// Σ_c (x[c] − m)² in double.
template <typename T>
double row_centered_squares(const T* x, int64_t n, double m) {
  double lane[kLanes] = {};
  int64_t c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const double d = static_cast<double>(x[c + l]) - m;
      lane[l] += d * d;
    }
  }
  for (; c < n; ++c) {
    const double d = static_cast<double>(x[c]) - m;
    lane[0] += d * d;
  }
  return fold(lane);
}

// y = (x − m)·rs [·w] [+ b] for one row; the affine terms are compile-time so each case is a
// plain vectorisable loop.
template <bool kWeight, bool kBias, typename T>
void normalize_row(int64_t n, const T* x, double m, double rs, const T* w, const T* b, T* y) {
  for (int64_t c = 0; c < n; ++c) {
    double v = (static_cast<double>(x[c]) - m) * rs;
    if constexpr (kWeight) v *= static_cast<double>(w[c]);
    if constexpr (kBias) v += static_cast<double>(b[c]);
    y[c] = static_cast<T>(v);
  }
}

template <bool kWeight, bool kBias, typename T>
void layer_norm_rows(int64_t rows, int64_t cols, const T* x, const T* weight, const T* bias,
                     double eps, T* y, double* mean, double* rstd) {
  const double inv_f = 1.0 / static_cast<double>(cols);
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * cols;
    const double m = row_sum(xr, cols) * inv_f;
    const double var = row_centered_squares(xr, cols, m) * inv_f;
    const double rs = 1.0 / std::sqrt(var + eps);
    mean[r] = m;
    rstd[r] = rs;
    normalize_row<kWeight, kBias>(cols, xr, m, rs, weight, bias, y + r * cols);
  }
}

// The dx of one row (see core/kernel_list.inc); g = grad ⊙ w when kWeight.
template <bool kWeight, typename T>
void row_dx(int64_t n, const T* x, const T* w, const T* grad, double m, double rs, T* dx) {
  double sg[kLanes] = {}, sgx[kLanes] = {};
  int64_t c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      double g = static_cast<double>(grad[c + l]);
      if constexpr (kWeight) g *= static_cast<double>(w[c + l]);
      sg[l] += g;
      sgx[l] += g * ((static_cast<double>(x[c + l]) - m) * rs);
    }
  }
  for (; c < n; ++c) {
    double g = static_cast<double>(grad[c]);
    if constexpr (kWeight) g *= static_cast<double>(w[c]);
    sg[0] += g;
    sgx[0] += g * ((static_cast<double>(x[c]) - m) * rs);
  }
  const double inv_f = 1.0 / static_cast<double>(n);
  const double a = fold(sg) * inv_f;
  const double b = fold(sgx) * inv_f;
  for (c = 0; c < n; ++c) {
    double g = static_cast<double>(grad[c]);
    if constexpr (kWeight) g *= static_cast<double>(w[c]);
    const double xh = (static_cast<double>(x[c]) - m) * rs;
    dx[c] = static_cast<T>(rs * (g - a - xh * b));
  }
}

}  // namespace

template <typename T>
void layer_norm(int64_t rows, int64_t cols, const T* x, const T* weight, const T* bias, double eps,
                T* y, double* mean, double* rstd) {
  if (rows <= 0 || cols <= 0) return;
  if (weight != nullptr && bias != nullptr) {
    layer_norm_rows<true, true>(rows, cols, x, weight, bias, eps, y, mean, rstd);
  } else if (weight != nullptr) {
    layer_norm_rows<true, false>(rows, cols, x, weight, bias, eps, y, mean, rstd);
  } else if (bias != nullptr) {
    layer_norm_rows<false, true>(rows, cols, x, weight, bias, eps, y, mean, rstd);
  } else {
    layer_norm_rows<false, false>(rows, cols, x, weight, bias, eps, y, mean, rstd);
  }
}

template <typename T>
void layer_norm_backward(int64_t rows, int64_t cols, const T* x, const T* weight,
                         const double* mean, const double* rstd, const T* grad, T* dx, T* dweight,
                         T* dbias) {
  if (cols <= 0) return;
  const int64_t n_rows = rows > 0 ? rows : 0;
  const int64_t blocks = (n_rows + kRowSumBlock - 1) / kRowSumBlock;
  // One partial row per block of rows: rows * cols / kRowSumBlock doubles for each wanted sum.
  std::vector<double> part_w(dweight != nullptr ? static_cast<size_t>(blocks * cols) : 0, 0.0);
  std::vector<double> part_b(dbias != nullptr ? static_cast<size_t>(blocks * cols) : 0, 0.0);
#pragma omp parallel for schedule(static) if (n_rows * cols >= kParallelMin)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    double* acc_w = dweight != nullptr ? part_w.data() + blk * cols : nullptr;
    double* acc_b = dbias != nullptr ? part_b.data() + blk * cols : nullptr;
    const int64_t end = (blk + 1) * kRowSumBlock < n_rows ? (blk + 1) * kRowSumBlock : n_rows;
    for (int64_t r = blk * kRowSumBlock; r < end; ++r) {
      const T* xr = x + r * cols;
      const T* gr = grad + r * cols;
      const double m = mean[r], rs = rstd[r];
      if (acc_w != nullptr) {
        for (int64_t c = 0; c < cols; ++c)
          acc_w[c] += static_cast<double>(gr[c]) * ((static_cast<double>(xr[c]) - m) * rs);
      }
      // The order of row_block_sums: dbias has the bits of sum_rows(grad).
      if (acc_b != nullptr) {
        for (int64_t c = 0; c < cols; ++c) acc_b[c] += static_cast<double>(gr[c]);
      }
      if (dx != nullptr) {
        if (weight != nullptr) {
          row_dx<true>(cols, xr, weight, gr, m, rs, dx + r * cols);
        } else {
          row_dx<false>(cols, xr, weight, gr, m, rs, dx + r * cols);
        }
      }
    }
  }
  if (dweight != nullptr) finish_row_sums(blocks, cols, part_w.data(), dweight);
  if (dbias != nullptr) finish_row_sums(blocks, cols, part_b.data(), dbias);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_layer_norm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
