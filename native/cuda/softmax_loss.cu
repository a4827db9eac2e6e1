// Row-wise log-softmax and the negative log-likelihood loss over it.
//
// Each row belongs to a group of G lanes of one warp (G = 32 for rows of 32+ classes, the next
// power of two >= cols below that). As on the CPU, the arithmetic runs in double: the row max,
// the sum of exp(x - max) and the output are computed in double and rounded once on store. The
// group reductions are fixed shuffle trees, and the loss is a two-pass reduction over rows on a
// grid that depends on the row count alone: no atomics, bit-reproducible from run to run.
#include <cmath>
#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    log_softmax_kernel(int64_t rows, int64_t cols, const T* __restrict__ x, T* __restrict__ y) {
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const T* xr = x + r * cols;
    T* yr = y + r * cols;
    double m = -INFINITY;
    for (int64_t c = lane; c < cols; c += G) m = fmax(m, static_cast<double>(xr[c]));
    m = group_max<G>(m);
    double s = 0.0;
    for (int64_t c = lane; c < cols; c += G) s += exp(static_cast<double>(xr[c]) - m);
    s = group_sum<G>(s);
    const double log_s = log(s);
    for (int64_t c = lane; c < cols; c += G) {
      yr[c] = static_cast<T>((static_cast<double>(xr[c]) - m) - log_s);
    }
  }
}

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    log_softmax_backward_kernel(int64_t rows, int64_t cols, const T* __restrict__ grad,
                                const T* __restrict__ y, T* __restrict__ dx) {
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const T* gr = grad + r * cols;
    const T* yr = y + r * cols;
    T* dr = dx + r * cols;
    double gsum = 0.0;
    for (int64_t c = lane; c < cols; c += G) gsum += static_cast<double>(gr[c]);
    gsum = group_sum<G>(gsum);
    for (int64_t c = lane; c < cols; c += G) {
      dr[c] = static_cast<T>(
          sub_rn(static_cast<double>(gr[c]), mul_rn(exp(static_cast<double>(yr[c])), gsum)));
    }
  }
}

// Pass 1 of the loss: per block, the sum of logp[r, labels[r]] over its masked rows (in double)
// and their count. Labels of unmasked rows are never read (they may hold anything, e.g. -1). A
// masked row whose label is outside [0, cols) adds NaN instead of reading out of bounds.
template <typename T>
__global__ void __launch_bounds__(kReduceBlock)
    nll_partial_kernel(int64_t rows, int64_t cols, const T* __restrict__ logp,
                       const int32_t* __restrict__ labels, const uint8_t* __restrict__ mask,
                       double* __restrict__ partial_sum, long long* __restrict__ partial_count) {
  __shared__ double s_sum[kReduceBlock];
  __shared__ long long s_count[kReduceBlock];
  double acc = 0.0;
  long long count = 0;
  for (int64_t r = global_thread(); r < rows; r += grid_threads()) {
    if (mask != nullptr && !mask[r]) continue;
    const int32_t label = labels[r];
    acc += (label >= 0 && label < cols) ? static_cast<double>(logp[r * cols + label]) : NAN;
    ++count;
  }
  acc = block_sum<kReduceBlock>(acc, s_sum);
  count = block_sum<kReduceBlock>(count, s_count);
  if (threadIdx.x == 0) {
    partial_sum[blockIdx.x] = acc;
    partial_count[blockIdx.x] = count;
  }
}

template <typename T>
__global__ void __launch_bounds__(kReduceBlock)
    nll_finish_kernel(int parts, const double* __restrict__ partial_sum,
                      const long long* __restrict__ partial_count, T* __restrict__ loss) {
  __shared__ double s_sum[kReduceBlock];
  __shared__ long long s_count[kReduceBlock];
  double acc = 0.0;
  long long count = 0;
  for (int i = threadIdx.x; i < parts; i += kReduceBlock) {
    acc += partial_sum[i];
    count += partial_count[i];
  }
  acc = block_sum<kReduceBlock>(acc, s_sum);
  count = block_sum<kReduceBlock>(count, s_count);
  if (threadIdx.x == 0) {
    loss[0] = count > 0 ? static_cast<T>(-acc / static_cast<double>(count)) : T(0);
  }
}

__global__ void __launch_bounds__(kReduceBlock)
    mask_count_partial_kernel(int64_t rows, const uint8_t* __restrict__ mask,
                              long long* __restrict__ partial) {
  __shared__ long long scratch[kReduceBlock];
  long long count = 0;
  for (int64_t r = global_thread(); r < rows; r += grid_threads()) count += mask[r] ? 1 : 0;
  count = block_sum<kReduceBlock>(count, scratch);
  if (threadIdx.x == 0) partial[blockIdx.x] = count;
}

__global__ void __launch_bounds__(kReduceBlock)
    mask_count_finish_kernel(int parts, long long* __restrict__ partial) {
  __shared__ long long scratch[kReduceBlock];
  long long count = 0;
  for (int i = threadIdx.x; i < parts; i += kReduceBlock) count += partial[i];
  count = block_sum<kReduceBlock>(count, scratch);
  __syncthreads();  // every thread has read its partials before thread 0 overwrites slot 0
  if (threadIdx.x == 0) partial[0] = count;
}

// dlogp[r, c] = -g / count at (r, labels[r]) for masked rows, 0 elsewhere. `count` comes from
// the device (masked case) or the host (no mask: every row counts).
template <typename T>
__global__ void nll_backward_kernel(int64_t rows, int64_t cols, T g, const T* __restrict__ g_dev,
                                    const int32_t* __restrict__ labels,
                                    const uint8_t* __restrict__ mask,
                                    const long long* __restrict__ count_dev, long long count_host,
                                    T* __restrict__ dlogp) {
  const long long count = count_dev != nullptr ? *count_dev : count_host;
  if (g_dev != nullptr) g = *g_dev;
  const T value =
      count > 0 ? static_cast<T>(-static_cast<double>(g) / static_cast<double>(count)) : T(0);
  const int64_t n = rows * cols;
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    const int64_t r = i / cols;
    const int64_t c = i - r * cols;
    T v = T(0);
    if ((mask == nullptr || mask[r]) && c == labels[r]) v = value;
    dlogp[i] = v;
  }
}

}  // namespace

template <typename T>
void log_softmax(int64_t rows, int64_t cols, const T* x, T* y) {
  if (rows <= 0 || cols <= 0) return;
  with_group_lanes(cols, [&](auto g) {
    constexpr int G = decltype(g)::value;
    log_softmax_kernel<G, T>
        <<<row_group_blocks(rows, G), kBlock, 0, launch_stream()>>>(rows, cols, x, y);
  });
  FATHOM_CUDA_LAUNCH_CHECK("log_softmax");
}

template <typename T>
void log_softmax_backward(int64_t rows, int64_t cols, const T* grad, const T* y, T* dx) {
  if (rows <= 0 || cols <= 0) return;
  with_group_lanes(cols, [&](auto g) {
    constexpr int G = decltype(g)::value;
    log_softmax_backward_kernel<G, T>
        <<<row_group_blocks(rows, G), kBlock, 0, launch_stream()>>>(rows, cols, grad, y, dx);
  });
  FATHOM_CUDA_LAUNCH_CHECK("log_softmax_backward");
}

template <typename T>
void nll_loss(int64_t rows, int64_t cols, const T* logp, const int32_t* labels, const uint8_t* mask,
              T* loss) {
  const int64_t n = rows > 0 ? rows : 0;
  const int blocks = reduce_blocks(n);  // depends on the row count only
  Scratch scratch((sizeof(double) + sizeof(long long)) * static_cast<size_t>(blocks));
  double* partial_sum = scratch.as<double>();
  long long* partial_count = reinterpret_cast<long long*>(partial_sum + blocks);
  nll_partial_kernel<T><<<blocks, kReduceBlock, 0, launch_stream()>>>(n, cols, logp, labels, mask,
                                                                      partial_sum, partial_count);
  FATHOM_CUDA_LAUNCH_CHECK("nll_loss");
  nll_finish_kernel<T>
      <<<1, kReduceBlock, 0, launch_stream()>>>(blocks, partial_sum, partial_count, loss);
  FATHOM_CUDA_LAUNCH_CHECK("nll_loss");
}

namespace {

// g_dev (when not null) replaces g: read by the kernel, never by the host.
template <typename T>
void launch_nll_backward(int64_t rows, int64_t cols, T g, const T* g_dev, const int32_t* labels,
                         const uint8_t* mask, T* dlogp) {
  if (rows <= 0 || cols <= 0) return;
  if (mask == nullptr) {
    nll_backward_kernel<T><<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(
        rows, cols, g, g_dev, labels, nullptr, nullptr, rows, dlogp);
    FATHOM_CUDA_LAUNCH_CHECK("nll_loss_backward");
    return;
  }
  // The count of masked rows stays on the device: no host round trip between the passes.
  const int blocks = reduce_blocks(rows);
  Scratch partial(sizeof(long long) * static_cast<size_t>(blocks));
  mask_count_partial_kernel<<<blocks, kReduceBlock, 0, launch_stream()>>>(rows, mask,
                                                                          partial.as<long long>());
  FATHOM_CUDA_LAUNCH_CHECK("nll_loss_backward");
  mask_count_finish_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(blocks,
                                                                    partial.as<long long>());
  FATHOM_CUDA_LAUNCH_CHECK("nll_loss_backward");
  nll_backward_kernel<T><<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(
      rows, cols, g, g_dev, labels, mask, partial.as<long long>(), 0, dlogp);
  FATHOM_CUDA_LAUNCH_CHECK("nll_loss_backward");
}

}  // namespace

template <typename T>
void nll_loss_backward(int64_t rows, int64_t cols, T g, const int32_t* labels, const uint8_t* mask,
                       T* dlogp) {
  launch_nll_backward<T>(rows, cols, g, nullptr, labels, mask, dlogp);
}

template <typename T>
void nll_loss_backward_dev(int64_t rows, int64_t cols, const T* g_dev, const int32_t* labels,
                           const uint8_t* mask, T* dlogp) {
  launch_nll_backward<T>(rows, cols, T(0), g_dev, labels, mask, dlogp);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_softmax_loss 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
