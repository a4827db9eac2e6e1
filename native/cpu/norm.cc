// PairNorm (docs/methods.md §2.5) on the CPU. Column means and the global squared norm are summed
// over fixed blocks of rows whose partials are combined sequentially, so results are
// bit-identical for any thread count (see parallel.h).
#include <cmath>
#include <vector>

#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {
namespace {

constexpr int64_t kRowBlock = 256;  // rows per block of the column reductions

// Column means of a [rows, cols] matrix (any element type readable as double).
template <typename T>
std::vector<double> column_means(int64_t rows, int64_t cols, const T* x) {
  const int64_t blocks = (rows + kRowBlock - 1) / kRowBlock;
  std::vector<double> partial(static_cast<size_t>(blocks * cols), 0.0);
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t b = 0; b < blocks; ++b) {
    double* acc = partial.data() + b * cols;
    const int64_t end = (b + 1) * kRowBlock < rows ? (b + 1) * kRowBlock : rows;
    for (int64_t r = b * kRowBlock; r < end; ++r) {
      for (int64_t c = 0; c < cols; ++c) acc[c] += static_cast<double>(x[r * cols + c]);
    }
  }
  std::vector<double> mean(static_cast<size_t>(cols), 0.0);
  for (int64_t c = 0; c < cols; ++c) {
    double total = 0.0;
    for (int64_t b = 0; b < blocks; ++b) total += partial[b * cols + c];
    mean[c] = rows > 0 ? total / static_cast<double>(rows) : 0.0;
  }
  return mean;
}

// xc = x − colmean(x) in double, one row per node.
template <typename T>
std::vector<double> centered(int64_t rows, int64_t cols, const T* x) {
  const std::vector<double> mean = column_means(rows, cols, x);
  std::vector<double> xc(static_cast<size_t>(rows * cols));
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c)
      xc[r * cols + c] = static_cast<double>(x[r * cols + c]) - mean[c];
  }
  return xc;
}

// Per-row dot products a_r · b_r.
std::vector<double> row_dots(int64_t rows, int64_t cols, const double* a, const double* b) {
  std::vector<double> d(static_cast<size_t>(rows));
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    double acc = 0.0;
    for (int64_t c = 0; c < cols; ++c) acc += a[r * cols + c] * b[r * cols + c];
    d[r] = acc;
  }
  return d;
}

// Sequential in row order: deterministic, and O(rows) is negligible next to the O(rows·cols)
// passes.
double total(const std::vector<double>& v) {
  double t = 0.0;
  for (double x : v) t += x;
  return t;
}

}  // namespace

template <typename T>
void pair_norm(int64_t rows, int64_t cols, const T* x, double s, double eps, bool individual,
               T* out) {
  if (rows <= 0 || cols <= 0) return;
  const std::vector<double> xc = centered(rows, cols, x);
  const std::vector<double> sq = row_dots(rows, cols, xc.data(), xc.data());
  const double global_r = std::sqrt(eps + total(sq) / static_cast<double>(rows));
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const double k = s / (individual ? std::sqrt(eps + sq[r]) : global_r);
    for (int64_t c = 0; c < cols; ++c) out[r * cols + c] = static_cast<T>(k * xc[r * cols + c]);
  }
}

template <typename T>
void pair_norm_backward(int64_t rows, int64_t cols, const T* x, const T* grad, double s, double eps,
                        bool individual, T* dx) {
  if (rows <= 0 || cols <= 0) return;
  const std::vector<double> xc = centered(rows, cols, x);
  std::vector<double> g(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows * cols; ++i) g[i] = static_cast<double>(grad[i]);
  const std::vector<double> sq = row_dots(rows, cols, xc.data(), xc.data());
  const std::vector<double> gx = row_dots(rows, cols, g.data(), xc.data());
  const double n = static_cast<double>(rows);
  const double r2 = eps + total(sq) / n;
  const double gx_total = total(gx);
  std::vector<double> dxc(static_cast<size_t>(rows * cols));
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const double rr2 = individual ? eps + sq[r] : r2;
    const double k = s / std::sqrt(rr2);
    const double proj = individual ? gx[r] / rr2 : gx_total / (n * rr2);
    for (int64_t c = 0; c < cols; ++c) {
      const int64_t i = r * cols + c;
      dxc[i] = k * (g[i] - proj * xc[i]);
    }
  }
  const std::vector<double> mean = column_means(rows, cols, dxc.data());
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c)
      dx[r * cols + c] = static_cast<T>(dxc[r * cols + c] - mean[c]);
  }
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_norm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
