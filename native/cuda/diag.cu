// Diagnostics reductions (docs/methods.md §4) on the GPU, the twin of cpu/diag.cc, in double.
// Deterministic without atomics: a row norm is one thread folding its row, a column sum one
// thread folding its column's rows in order (adjacent threads read adjacent columns, so loads
// coalesce), and totals are fixed grids folding fixed strides followed by a fixed tree
// (block_sum). The centered Gram goes through gemm<double> (cuBLAS where found).
#include <cmath>
#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

// sq[r] = ‖x_r − m‖² (m = mean, or 0 when mean is null).
template <typename T>
__global__ void row_squares_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                                   const double* __restrict__ mean, double* __restrict__ sq) {
  for (int64_t r = global_thread(); r < rows; r += grid_threads()) {
    double acc = 0.0;
    for (int64_t c = 0; c < cols; ++c) {
      const double v = static_cast<double>(x[r * cols + c]) - (mean ? mean[c] : 0.0);
      acc += v * v;
    }
    sq[r] = acc;
  }
}

// mean[c] = Σ_r x[r,c] / rows and unit[c] = Σ_{r: sq[r] > 0} x[r,c]/√sq[r].
template <typename T>
__global__ void column_moments_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                                      const double* __restrict__ sq, double* __restrict__ mean,
                                      double* __restrict__ unit) {
  for (int64_t c = global_thread(); c < cols; c += grid_threads()) {
    double s = 0.0;
    double u = 0.0;
    for (int64_t r = 0; r < rows; ++r) {
      const double v = static_cast<double>(x[r * cols + c]);
      s += v;
      if (sq[r] > 0.0) u += v / sqrt(sq[r]);
    }
    mean[c] = s / static_cast<double>(rows);
    unit[c] = u;
  }
}

// out[0] = Σ sq, out[1] = #{r: sq[r] > 0}; one block of kReduceBlock threads.
__global__ void __launch_bounds__(kReduceBlock)
    row_totals_kernel(int64_t rows, const double* __restrict__ sq, double* __restrict__ out) {
  __shared__ double scratch[kReduceBlock];
  double total = 0.0;
  double nonzero = 0.0;
  for (int64_t i = threadIdx.x; i < rows; i += kReduceBlock) {
    total += sq[i];
    nonzero += sq[i] > 0.0 ? 1.0 : 0.0;
  }
  total = block_sum<kReduceBlock>(total, scratch);
  if (threadIdx.x == 0) out[0] = total;
  __syncthreads();
  nonzero = block_sum<kReduceBlock>(nonzero, scratch);
  if (threadIdx.x == 0) out[1] = nonzero;
}

template <typename T>
__global__ void center_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                              const double* __restrict__ mean, double* __restrict__ xc) {
  for (int64_t i = global_thread(); i < rows * cols; i += grid_threads()) {
    xc[i] = static_cast<double>(x[i]) - mean[i % cols];
  }
}

// 1/√len of CSR row r, 0 for an empty row (as the CPU kernel).
__device__ __forceinline__ double inv_sqrt_len(const int32_t* __restrict__ rowptr, int64_t r) {
  const int32_t len = rowptr[r + 1] - rowptr[r];
  return len > 0 ? 1.0 / sqrt(static_cast<double>(len)) : 0.0;
}

// part[r] = Σ_{k in row r} ‖x_r/√len_r − x_{col_k}/√len_{col_k}‖².
template <typename T>
__global__ void dirichlet_rows_kernel(int64_t rows, int64_t cols,
                                      const int32_t* __restrict__ rowptr,
                                      const int32_t* __restrict__ col, const T* __restrict__ x,
                                      double* __restrict__ part) {
  for (int64_t i = global_thread(); i < rows; i += grid_threads()) {
    const double si = inv_sqrt_len(rowptr, i);
    double acc = 0.0;
    for (int32_t k = rowptr[i]; k < rowptr[i + 1]; ++k) {
      const int64_t j = col[k];
      const double sj = inv_sqrt_len(rowptr, j);
      for (int64_t c = 0; c < cols; ++c) {
        const double d =
            static_cast<double>(x[i * cols + c]) * si - static_cast<double>(x[j * cols + c]) * sj;
        acc += d * d;
      }
    }
    part[i] = acc;
  }
}

// out[0] = scale · Σ v; one block.
__global__ void __launch_bounds__(kReduceBlock)
    total_kernel(int64_t n, const double* __restrict__ v, double scale, double* __restrict__ out) {
  __shared__ double scratch[kReduceBlock];
  double acc = 0.0;
  for (int64_t i = threadIdx.x; i < n; i += kReduceBlock) acc += v[i];
  acc = block_sum<kReduceBlock>(acc, scratch);
  if (threadIdx.x == 0) out[0] = scale * acc;
}

// part[block] = Σ (x − y)² over the block's grid-stride share (the grid depends on n alone).
template <typename T>
__global__ void __launch_bounds__(kReduceBlock)
    sum_squares_kernel(int64_t n, const T* __restrict__ x, const T* __restrict__ y,
                       double* __restrict__ part) {
  __shared__ double scratch[kReduceBlock];
  double acc = 0.0;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kReduceBlock;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * kReduceBlock + threadIdx.x; i < n;
       i += stride) {
    const double d = static_cast<double>(x[i]) - (y ? static_cast<double>(y[i]) : 0.0);
    acc += d * d;
  }
  acc = block_sum<kReduceBlock>(acc, scratch);
  if (threadIdx.x == 0) part[blockIdx.x] = acc;
}

}  // namespace

template <typename T>
void feature_moments(int64_t rows, int64_t cols, const T* x, bool gram, double* out) {
  const int64_t size = 3 + 2 * cols + (gram ? cols * cols : 0);
  FATHOM_CUDA_CHECK(
      "feature_moments",
      cudaMemsetAsync(out, 0, sizeof(double) * static_cast<size_t>(size), launch_stream()));
  if (rows <= 0 || cols <= 0) return;
  Scratch work(sizeof(double) * static_cast<size_t>(rows));
  double* sq = work.as<double>();
  row_squares_kernel<T>
      <<<blocks_for(rows), kBlock, 0, launch_stream()>>>(rows, cols, x, nullptr, sq);
  FATHOM_CUDA_LAUNCH_CHECK("feature_moments");
  row_totals_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(rows, sq, out);
  FATHOM_CUDA_LAUNCH_CHECK("feature_moments");
  double* mean = out + 3;
  column_moments_kernel<T>
      <<<blocks_for(cols), kBlock, 0, launch_stream()>>>(rows, cols, x, sq, mean, out + 3 + cols);
  FATHOM_CUDA_LAUNCH_CHECK("feature_moments");
  // The centered rows' squared norms replace the raw ones in sq (no longer needed).
  row_squares_kernel<T><<<blocks_for(rows), kBlock, 0, launch_stream()>>>(rows, cols, x, mean, sq);
  FATHOM_CUDA_LAUNCH_CHECK("feature_moments");
  total_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(rows, sq, 1.0, out + 2);
  FATHOM_CUDA_LAUNCH_CHECK("feature_moments");
  if (!gram) return;
  Scratch centered(sizeof(double) * static_cast<size_t>(rows * cols));
  double* xc = centered.as<double>();
  center_kernel<T>
      <<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(rows, cols, x, mean, xc);
  FATHOM_CUDA_LAUNCH_CHECK("feature_moments");
  gemm<double>(true, false, cols, cols, rows, 1.0, xc, xc, 0.0, out + 3 + 2 * cols);
}

template <typename T>
void dirichlet_energy(int64_t rows, int64_t cols, const int32_t* rowptr, const int32_t* col,
                      const T* x, double* out) {
  FATHOM_CUDA_CHECK("dirichlet_energy", cudaMemsetAsync(out, 0, sizeof(double), launch_stream()));
  if (rows <= 0 || cols <= 0) return;
  Scratch work(sizeof(double) * static_cast<size_t>(rows));
  double* part = work.as<double>();
  dirichlet_rows_kernel<T>
      <<<blocks_for(rows), kBlock, 0, launch_stream()>>>(rows, cols, rowptr, col, x, part);
  FATHOM_CUDA_LAUNCH_CHECK("dirichlet_energy");
  total_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(rows, part, 0.5, out);
  FATHOM_CUDA_LAUNCH_CHECK("dirichlet_energy");
}

template <typename T>
void sum_squares(int64_t n, const T* x, const T* y, double* out) {
  FATHOM_CUDA_CHECK("sum_squares", cudaMemsetAsync(out, 0, sizeof(double), launch_stream()));
  if (n <= 0) return;
  const int blocks = reduce_blocks(n);
  Scratch work(sizeof(double) * static_cast<size_t>(blocks));
  double* part = work.as<double>();
  sum_squares_kernel<T><<<blocks, kReduceBlock, 0, launch_stream()>>>(n, x, y, part);
  FATHOM_CUDA_LAUNCH_CHECK("sum_squares");
  total_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(blocks, part, 1.0, out);
  FATHOM_CUDA_LAUNCH_CHECK("sum_squares");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_diag 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
