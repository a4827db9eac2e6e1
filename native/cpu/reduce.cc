// Reductions. Floating sums are cut into fixed-size blocks whose boundaries depend on the sizes
// alone; each block is summed by one thread in a fixed order (in double), and the block partials
// are combined sequentially. The result is therefore bit-identical for any thread count.
#include <cmath>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "row_sums.h"

namespace fathom::cpu {
namespace {

constexpr int64_t kSumBlock = 4096;  // elements per block of sum()

// Eight fixed lanes let the compiler vectorise without changing the (size-determined) order.
template <typename T>
double block_sum(const T* x, int64_t n) {
  double lane[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += static_cast<double>(x[i + l]);
  }
  for (; i < n; ++i) lane[0] += static_cast<double>(x[i]);
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

}  // namespace

template <typename T>
void sum(int64_t n, const T* x, T* out) {
  const int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  std::vector<double> partial(static_cast<size_t>(blocks));
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t begin = b * kSumBlock;
    const int64_t len = n - begin < kSumBlock ? n - begin : kSumBlock;
    partial[b] = block_sum(x + begin, len);
  }
  double total = 0.0;
  for (int64_t b = 0; b < blocks; ++b) total += partial[b];
  out[0] = static_cast<T>(total);
}

template <typename T>
void row_block_sums(int64_t rows, int64_t cols, const T* x, double* partial) {
  const int64_t blocks = (rows + kRowSumBlock - 1) / kRowSumBlock;
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t b = 0; b < blocks; ++b) {
    double* acc = partial + b * cols;
    const int64_t end = (b + 1) * kRowSumBlock < rows ? (b + 1) * kRowSumBlock : rows;
    for (int64_t r = b * kRowSumBlock; r < end; ++r) {
      const T* xr = x + r * cols;
      for (int64_t c = 0; c < cols; ++c) acc[c] += static_cast<double>(xr[c]);
    }
  }
}

template <typename T>
void finish_row_sums(int64_t blocks, int64_t cols, const double* partial, T* out) {
#pragma omp parallel for schedule(static) if (blocks * cols >= kParallelMin)
  for (int64_t c = 0; c < cols; ++c) {
    double total = 0.0;
    for (int64_t b = 0; b < blocks; ++b) total += partial[b * cols + c];
    out[c] = static_cast<T>(total);
  }
}

template <typename T>
void sum_rows(int64_t rows, int64_t cols, const T* x, T* out) {
  if (cols <= 0) return;
  const int64_t blocks = (rows + kRowSumBlock - 1) / kRowSumBlock;
  // One partial row of column sums per block of rows: rows * cols / kRowSumBlock doubles.
  std::vector<double> partial(static_cast<size_t>(blocks * cols));
  row_block_sums(rows, cols, x, partial.data());
  finish_row_sums(blocks, cols, partial.data(), out);
}

// First index of the maximum; a NaN counts as larger than everything (as in PyTorch), so a row
// that has gone non-finite does not silently predict a real class.
template <typename T>
void argmax_rows(int64_t rows, int64_t cols, const T* x, int32_t* out) {
  if (cols <= 0) {  // no class to pick: -1 rather than an index that does not exist
    for (int64_t r = 0; r < rows; ++r) out[r] = -1;
    return;
  }
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * cols;
    int64_t best = 0;
    for (int64_t c = 1; c < cols; ++c) {
      if (std::isnan(xr[best])) break;
      if (xr[c] > xr[best] || std::isnan(xr[c])) best = c;
    }
    out[r] = static_cast<int32_t>(best);
  }
}

template <typename T>
void count_nonfinite(int64_t n, const T* x, int64_t* out) {
  int64_t count = 0;  // integer addition is associative: any split gives the same count
#pragma omp parallel for schedule(static) reduction(+ : count) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) count += std::isfinite(x[i]) ? 0 : 1;
  out[0] = count;
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_reduce 1
#include "../core/kernel_instances.inc"

// The two-phase column sums are this backend's own (cpu/row_sums.h), outside the kernel list.
#define FATHOM_INSTANTIATE(T)                                           \
  template void row_block_sums<T>(int64_t, int64_t, const T*, double*); \
  template void finish_row_sums<T>(int64_t, int64_t, const double*, T*);
FATHOM_INSTANTIATE(float)
FATHOM_INSTANTIATE(double)
#undef FATHOM_INSTANTIATE

}  // namespace fathom::cpu
