// Edge softmax over CSR rows on the GPU (docs/methods.md §2.3, softmax-SKP). One thread per
// (row, head): it owns every entry of that row and head, so no two threads write one output and
// no atomics are needed; each sum runs in CSR order, so results are the same on every run.
// In-degrees of the graphs SKP trains on are small (tens), which makes a thread per row enough.
#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

template <typename T>
__global__ void __launch_bounds__(kBlock)
    edge_softmax_kernel(int64_t rows, int64_t H, const int32_t* __restrict__ rowptr,
                        const T* __restrict__ logits, T* __restrict__ alpha) {
  for (int64_t t = global_thread(); t < rows * H; t += grid_threads()) {
    const int64_t r = t / H, h = t % H;
    const int64_t begin = rowptr[r], end = rowptr[r + 1];
    T m = -INFINITY;
    for (int64_t k = begin; k < end; ++k) m = max(m, logits[k * H + h]);
    T s = T(0);
    for (int64_t k = begin; k < end; ++k) {
      const T e = exp(logits[k * H + h] - m);
      alpha[k * H + h] = e;
      s += e;
    }
    const T inv = T(1) / s;
    for (int64_t k = begin; k < end; ++k) alpha[k * H + h] *= inv;
  }
}

template <typename T>
__global__ void __launch_bounds__(kBlock)
    edge_softmax_backward_kernel(int64_t rows, int64_t H, const int32_t* __restrict__ rowptr,
                                 const T* __restrict__ alpha, const T* __restrict__ grad,
                                 T* __restrict__ dlogits) {
  for (int64_t t = global_thread(); t < rows * H; t += grid_threads()) {
    const int64_t r = t / H, h = t % H;
    const int64_t begin = rowptr[r], end = rowptr[r + 1];
    T dot = T(0);
    for (int64_t k = begin; k < end; ++k) dot += alpha[k * H + h] * grad[k * H + h];
    for (int64_t k = begin; k < end; ++k) {
      dlogits[k * H + h] = alpha[k * H + h] * (grad[k * H + h] - dot);
    }
  }
}

}  // namespace

template <typename T>
void edge_softmax(int64_t rows, int64_t H, const int32_t* rowptr, const T* logits, T* alpha) {
  if (rows <= 0 || H <= 0) return;
  edge_softmax_kernel<T>
      <<<blocks_for(rows * H), kBlock, 0, launch_stream()>>>(rows, H, rowptr, logits, alpha);
  FATHOM_CUDA_LAUNCH_CHECK("edge_softmax");
}

template <typename T>
void edge_softmax_backward(int64_t rows, int64_t H, const int32_t* rowptr, const T* alpha,
                           const T* grad, T* dlogits) {
  if (rows <= 0 || H <= 0) return;
  edge_softmax_backward_kernel<T>
      <<<blocks_for(rows * H), kBlock, 0, launch_stream()>>>(rows, H, rowptr, alpha, grad, dlogits);
  FATHOM_CUDA_LAUNCH_CHECK("edge_softmax_backward");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_edge_softmax 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
