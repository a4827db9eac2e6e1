// Diagnostics reductions (docs/methods.md §4) on the CPU, in double. Row-block partials are
// combined sequentially, so the results are bit-identical for any thread count (see parallel.h);
// the centered Gram goes through gemm<double> (OpenBLAS where found).
#include <climits>
#include <cmath>
#include <memory>
#include <vector>

#include "../core/runtime_info.h"
#include "kernels.h"
#include "parallel.h"

#ifdef FATHOM_HAVE_BLAS
#include <cblas.h>
#endif

namespace fathom::cpu {
namespace {

constexpr int64_t kRowBlock = 256;  // rows per block of the reductions
// A diagnostics pass over a Cora-sized layer takes well under a millisecond: splitting it costs a
// barrier per pass, and on a busy machine a barrier waits for a descheduled thread. Only passes
// this large (elements, or edge entries × columns) go parallel.
constexpr int64_t kDiagParallelMin = int64_t{1} << 21;

int64_t block_count(int64_t rows) { return (rows + kRowBlock - 1) / kRowBlock; }
int64_t block_end(int64_t b, int64_t rows) {
  return (b + 1) * kRowBlock < rows ? (b + 1) * kRowBlock : rows;
}

// out = xcᵀ xc (cols×cols). The Gram is symmetric: BLAS's rank-k update computes one triangle,
// half a GEMM's work; deterministic mode (and builds without BLAS) go through gemm().
void centered_gram(int64_t rows, int64_t cols, const double* xc, double* out) {
#ifdef FATHOM_HAVE_BLAS
  if (!deterministic() && rows <= INT_MAX && cols <= INT_MAX) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<blasint>(cols),
                static_cast<blasint>(rows), 1.0, xc, static_cast<blasint>(cols), 0.0, out,
                static_cast<blasint>(cols));
    for (int64_t a = 0; a < cols; ++a)
      for (int64_t b = 0; b < a; ++b) out[a * cols + b] = out[b * cols + a];
    return;
  }
#endif
  gemm<double>(true, false, cols, cols, rows, 1.0, xc, xc, 0.0, out);
}

}  // namespace

namespace {

// Σ v² over n doubles with eight independent partial sums: one running sum would serialize on
// the add latency (and without -ffast-math the compiler may not split it); four still left the
// moments pass latency-bound on 64-wide rows.
double sum_sq(const double* v, int64_t n) {
  constexpr int kLanes = 8;
  double acc[kLanes] = {};
  int64_t c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int u = 0; u < kLanes; ++u) acc[u] += v[c + u] * v[c + u];
  }
  for (; c < n; ++c) acc[c % kLanes] += v[c] * v[c];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace

template <typename T>
void feature_moments(int64_t rows, int64_t cols, const T* x, bool gram, double* out) {
  const int64_t size = 3 + 2 * cols + (gram ? cols * cols : 0);
  for (int64_t i = 0; i < size; ++i) out[i] = 0.0;
  if (rows <= 0 || cols <= 0) return;
  const int64_t blocks = block_count(rows);
  // Per block: Σx², nonzero rows, (unused), column sums, unit-row sums.
  const int64_t stride = 3 + 2 * cols;
  std::vector<double> partial(static_cast<size_t>(blocks * stride), 0.0);
#pragma omp parallel for schedule(static) if (rows * cols >= kDiagParallelMin)
  for (int64_t b = 0; b < blocks; ++b) {
    double* acc = partial.data() + b * stride;
    double* colsum = acc + 3;
    double* unit = acc + 3 + cols;
    std::vector<double> row(static_cast<size_t>(cols));
    for (int64_t r = b * kRowBlock; r < block_end(b, rows); ++r) {
      const T* xr = x + r * cols;
      for (int64_t c = 0; c < cols; ++c) row[c] = static_cast<double>(xr[c]);
      const double sq = sum_sq(row.data(), cols);
      for (int64_t c = 0; c < cols; ++c) colsum[c] += row[c];
      acc[0] += sq;
      if (sq > 0.0) {
        acc[1] += 1.0;
        const double inv = 1.0 / std::sqrt(sq);
        for (int64_t c = 0; c < cols; ++c) unit[c] += row[c] * inv;
      }
    }
  }
  for (int64_t b = 0; b < blocks; ++b) {
    for (int64_t i = 0; i < stride; ++i) out[i] += partial[b * stride + i];
  }
  const double* mean = out + 3;
  for (int64_t c = 0; c < cols; ++c) out[3 + c] /= static_cast<double>(rows);
  // Second pass: the centered rows (kept for the Gram) and their squared norms.
  // Every element is written below: no zero fill (a vector's would be a third pass over N·n).
  std::unique_ptr<double[]> xc(gram ? new double[static_cast<size_t>(rows * cols)] : nullptr);
  std::vector<double> centered(static_cast<size_t>(blocks), 0.0);
#pragma omp parallel for schedule(static) if (rows * cols >= kDiagParallelMin)
  for (int64_t b = 0; b < blocks; ++b) {
    std::vector<double> scratch(gram ? 0 : static_cast<size_t>(cols));
    double acc = 0.0;
    for (int64_t r = b * kRowBlock; r < block_end(b, rows); ++r) {
      double* d = gram ? xc.get() + r * cols : scratch.data();
      const T* xr = x + r * cols;
      for (int64_t c = 0; c < cols; ++c) d[c] = static_cast<double>(xr[c]) - mean[c];
      acc += sum_sq(d, cols);
    }
    centered[b] = acc;
  }
  for (double p : centered) out[2] += p;
  if (gram) centered_gram(rows, cols, xc.get(), out + 3 + 2 * cols);
}

template <typename T>
void dirichlet_energy(int64_t rows, int64_t cols, const int32_t* rowptr, const int32_t* col,
                      const T* x, double* out) {
  constexpr int kLanes = 16;
  out[0] = 0.0;
  if (rows <= 0 || cols <= 0) return;
  const int64_t blocks = block_count(rows);
  const int64_t nnz = rowptr[rows];
  // y_i = x_i/√len_i once, in double: the edge loop is then a plain squared distance.
  std::unique_ptr<double[]> y(new double[static_cast<size_t>(rows * cols)]);  // all written below
#pragma omp parallel for schedule(static) if (rows * cols >= kDiagParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t len = rowptr[r + 1] - rowptr[r];
    const double s = len > 0 ? 1.0 / std::sqrt(static_cast<double>(len)) : 0.0;
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = static_cast<double>(x[r * cols + c]) * s;
  }
  std::vector<double> partial(static_cast<size_t>(blocks), 0.0);
#pragma omp parallel for schedule(static) if (nnz * cols >= kDiagParallelMin)
  for (int64_t b = 0; b < blocks; ++b) {
    // Sixteen independent sums (eight 2-wide vectors): fewer would serialize on the add latency.
    double acc[kLanes] = {};
    for (int64_t i = b * kRowBlock; i < block_end(b, rows); ++i) {
      const double* yi = y.get() + i * cols;
      for (int32_t k = rowptr[i]; k < rowptr[i + 1]; ++k) {
        // A self-loop's term is exactly zero; the gcn operator has one per row.
        if (col[k] == i) continue;
        const double* yj = y.get() + static_cast<int64_t>(col[k]) * cols;
        int64_t c = 0;
        for (; c + kLanes <= cols; c += kLanes) {
          for (int u = 0; u < kLanes; ++u) {
            const double d = yi[c + u] - yj[c + u];
            acc[u] += d * d;
          }
        }
        for (; c < cols; ++c) {
          const double d = yi[c] - yj[c];
          acc[c % kLanes] += d * d;
        }
      }
    }
    double sum = 0.0;
    for (int u = 0; u < kLanes; ++u) sum += acc[u];
    partial[b] = sum;
  }
  double total = 0.0;
  for (double p : partial) total += p;
  out[0] = 0.5 * total;
}

template <typename T>
void sum_squares(int64_t n, const T* x, const T* y, double* out) {
  out[0] = 0.0;
  if (n <= 0) return;
  constexpr int64_t kBlock = 1 << 14;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<size_t>(blocks), 0.0);
#pragma omp parallel for schedule(static) if (n >= kDiagParallelMin)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t end = (b + 1) * kBlock < n ? (b + 1) * kBlock : n;
    double acc = 0.0;
    for (int64_t i = b * kBlock; i < end; ++i) {
      const double d = static_cast<double>(x[i]) - (y ? static_cast<double>(y[i]) : 0.0);
      acc += d * d;
    }
    partial[b] = acc;
  }
  double total = 0.0;
  for (double p : partial) total += p;
  out[0] = total;
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_diag 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
