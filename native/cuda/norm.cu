// PairNorm (docs/methods.md §2.5) on the GPU, the twin of cpu/norm.cc. Deterministic without
// atomics: a column mean is one thread folding its column's rows in order (adjacent threads read
// adjacent columns, so loads coalesce), a row norm is one thread folding its row, and the global
// sum over rows is one block folding fixed strides and then a fixed tree (block_sum).
#include <cmath>
#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

template <typename T>
__global__ void column_mean_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                                   double* __restrict__ mean) {
  for (int64_t c = global_thread(); c < cols; c += grid_threads()) {
    double acc = 0.0;
    for (int64_t r = 0; r < rows; ++r) acc += static_cast<double>(x[r * cols + c]);
    mean[c] = acc / static_cast<double>(rows);
  }
}

template <typename T>
__global__ void center_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                              const double* __restrict__ mean, double* __restrict__ xc) {
  for (int64_t i = global_thread(); i < rows * cols; i += grid_threads()) {
    xc[i] = static_cast<double>(x[i]) - mean[i % cols];
  }
}

// d[r] = Σ_c a[r,c]·b[r,c]
template <typename A>
__global__ void row_dot_kernel(int64_t rows, int64_t cols, const A* __restrict__ a,
                               const double* __restrict__ b, double* __restrict__ d) {
  for (int64_t r = global_thread(); r < rows; r += grid_threads()) {
    double acc = 0.0;
    for (int64_t c = 0; c < cols; ++c)
      acc += static_cast<double>(a[r * cols + c]) * b[r * cols + c];
    d[r] = acc;
  }
}

// out[0] = Σ v, one block of kReduceBlock threads: thread t folds v[t], v[t + B], ... then a fixed
// tree.
__global__ void __launch_bounds__(kReduceBlock)
    total_kernel(int64_t n, const double* __restrict__ v, double* __restrict__ out) {
  __shared__ double scratch[kReduceBlock];
  double acc = 0.0;
  for (int64_t i = threadIdx.x; i < n; i += kReduceBlock) acc += v[i];
  acc = block_sum<kReduceBlock>(acc, scratch);
  if (threadIdx.x == 0) out[0] = acc;
}

template <typename T>
__global__ void pair_norm_apply_kernel(int64_t rows, int64_t cols, const double* __restrict__ xc,
                                       const double* __restrict__ sq,
                                       const double* __restrict__ sum_sq, double s, double eps,
                                       bool individual, T* __restrict__ out) {
  const double global_r = sqrt(eps + sum_sq[0] / static_cast<double>(rows));
  for (int64_t i = global_thread(); i < rows * cols; i += grid_threads()) {
    const double r = individual ? sqrt(eps + sq[i / cols]) : global_r;
    out[i] = static_cast<T>(s / r * xc[i]);
  }
}

template <typename T>
__global__ void pair_norm_dxc_kernel(int64_t rows, int64_t cols, const double* __restrict__ xc,
                                     const T* __restrict__ grad, const double* __restrict__ sq,
                                     const double* __restrict__ gx,
                                     const double* __restrict__ totals, double s, double eps,
                                     bool individual, double* __restrict__ dxc) {
  const double n = static_cast<double>(rows);
  const double r2 = eps + totals[0] / n;
  for (int64_t i = global_thread(); i < rows * cols; i += grid_threads()) {
    const int64_t r = i / cols;
    const double rr2 = individual ? eps + sq[r] : r2;
    const double proj = individual ? gx[r] / rr2 : totals[1] / (n * rr2);
    dxc[i] = s / sqrt(rr2) * (static_cast<double>(grad[i]) - proj * xc[i]);
  }
}

template <typename T>
__global__ void uncenter_kernel(int64_t rows, int64_t cols, const double* __restrict__ dxc,
                                const double* __restrict__ mean, T* __restrict__ dx) {
  for (int64_t i = global_thread(); i < rows * cols; i += grid_threads()) {
    dx[i] = static_cast<T>(dxc[i] - mean[i % cols]);
  }
}

// xc (rows*cols doubles) and sq (rows doubles) from x; `mean` is cols doubles of workspace.
template <typename T>
void center_and_norms(int64_t rows, int64_t cols, const T* x, double* mean, double* xc,
                      double* sq) {
  column_mean_kernel<T><<<blocks_for(cols), kBlock, 0, launch_stream()>>>(rows, cols, x, mean);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm");
  center_kernel<T>
      <<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(rows, cols, x, mean, xc);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm");
  row_dot_kernel<double><<<blocks_for(rows), kBlock, 0, launch_stream()>>>(rows, cols, xc, xc, sq);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm");
}

}  // namespace

template <typename T>
void pair_norm(int64_t rows, int64_t cols, const T* x, double s, double eps, bool individual,
               T* out) {
  if (rows <= 0 || cols <= 0) return;
  Scratch work(sizeof(double) * static_cast<size_t>(rows * cols + rows + cols + 1));
  double* xc = work.as<double>();
  double* sq = xc + rows * cols;
  double* mean = sq + rows;
  double* sum_sq = mean + cols;
  center_and_norms(rows, cols, x, mean, xc, sq);
  total_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(rows, sq, sum_sq);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm");
  pair_norm_apply_kernel<T><<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(
      rows, cols, xc, sq, sum_sq, s, eps, individual, out);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm");
}

template <typename T>
void pair_norm_backward(int64_t rows, int64_t cols, const T* x, const T* grad, double s, double eps,
                        bool individual, T* dx) {
  if (rows <= 0 || cols <= 0) return;
  Scratch work(sizeof(double) * static_cast<size_t>(2 * rows * cols + 2 * rows + cols + 2));
  double* xc = work.as<double>();
  double* dxc = xc + rows * cols;
  double* sq = dxc + rows * cols;
  double* gx = sq + rows;
  double* mean = gx + rows;
  double* totals = mean + cols;  // [Σ sq, Σ gx]
  center_and_norms(rows, cols, x, mean, xc, sq);
  row_dot_kernel<T><<<blocks_for(rows), kBlock, 0, launch_stream()>>>(rows, cols, grad, xc, gx);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm_backward");
  total_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(rows, sq, totals);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm_backward");
  total_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(rows, gx, totals + 1);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm_backward");
  pair_norm_dxc_kernel<T><<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(
      rows, cols, xc, grad, sq, gx, totals, s, eps, individual, dxc);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm_backward");
  column_mean_kernel<double>
      <<<blocks_for(cols), kBlock, 0, launch_stream()>>>(rows, cols, dxc, mean);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm_backward");
  uncenter_kernel<T>
      <<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(rows, cols, dxc, mean, dx);
  FATHOM_CUDA_LAUNCH_CHECK("pair_norm_backward");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_norm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
