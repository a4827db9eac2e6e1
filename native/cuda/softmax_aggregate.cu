// The softmax aggregation of GENConv on the GPU (core/kernel_list.inc), the twin of
// cpu/softmax_aggregate.cc. One thread serves one (row, channel) pair, so the threads of a warp
// read consecutive channels of one gathered row (coalesced for F >= 32). The forward walks its
// row twice (maximum of t·m, then exponentials and weighted messages); the backward walks the
// transposed CSR and recomputes every weight from the saved maximum and denominator. Every
// output element is written by one thread in CSR order, and the temperature's gradient is a
// fixed-order sum of per-(j, f) partials: deterministic, no atomics.
#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

template <typename T>
__device__ __forceinline__ T message(T z, T eps) {
  return (z > T(0) ? z : T(0)) + eps;
}

template <typename T>
__global__ void __launch_bounds__(kBlock)
    forward_kernel(int64_t N, int64_t F, const int32_t* __restrict__ rowptr,
                   const int32_t* __restrict__ col, const int32_t* __restrict__ perm,
                   const T* __restrict__ x, const T* __restrict__ e, const T* __restrict__ t, T eps,
                   T* __restrict__ out, T* __restrict__ stats) {
  const T temp = t[0];
  for (int64_t w = global_thread(); w < N * F; w += grid_threads()) {
    const int64_t i = w / F, f = w % F;
    const int32_t begin = rowptr[i], end = rowptr[i + 1];
    T mx = -INFINITY;
    for (int32_t k = begin; k < end; ++k) {
      const int32_t p = perm ? perm[k] : -1;
      const T z = x[static_cast<int64_t>(col[k]) * F + f] +
                  (e && p >= 0 ? e[static_cast<int64_t>(p) * F + f] : T(0));
      const T v = temp * message(z, eps);
      mx = v > mx ? v : mx;
    }
    T den = T(0), acc = T(0);
    for (int32_t k = begin; k < end; ++k) {
      const int32_t p = perm ? perm[k] : -1;
      const T z = x[static_cast<int64_t>(col[k]) * F + f] +
                  (e && p >= 0 ? e[static_cast<int64_t>(p) * F + f] : T(0));
      const T m = message(z, eps);
      const T wgt = exp(temp * m - mx);
      den += wgt;
      acc += wgt * m;
    }
    const bool any = begin < end;
    out[w] = any ? acc / den : T(0);
    stats[w] = any ? mx : T(0);
    stats[N * F + w] = den;
  }
}

template <typename T>
__global__ void __launch_bounds__(kBlock)
    backward_kernel(int64_t N, int64_t S, int64_t F, const int32_t* __restrict__ t_rowptr,
                    const int32_t* __restrict__ t_col, const int32_t* __restrict__ t_perm,
                    const T* __restrict__ x, const T* __restrict__ e, const T* __restrict__ t,
                    T eps, const T* __restrict__ out, const T* __restrict__ stats,
                    const T* __restrict__ grad, T* __restrict__ dx, T* __restrict__ de,
                    T* __restrict__ partial) {
  const T temp = t[0];
  for (int64_t w = global_thread(); w < S * F; w += grid_threads()) {
    const int64_t j = w / F, f = w % F;
    const T xv = x[w];
    T gacc = T(0), pacc = T(0);
    for (int32_t k = t_rowptr[j]; k < t_rowptr[j + 1]; ++k) {
      const int64_t at = static_cast<int64_t>(t_col[k]) * F + f;
      const int32_t p = t_perm ? t_perm[k] : -1;
      const bool has_e = e && p >= 0;
      const T z = xv + (has_e ? e[static_cast<int64_t>(p) * F + f] : T(0));
      const T m = message(z, eps);
      const T ga = grad[at] * (exp(temp * m - stats[at]) / stats[N * F + at]);
      const T diff = m - out[at];
      const T dz = ga * (T(1) + temp * diff) * (z > T(0) ? T(1) : T(0));  // as the CPU twin
      gacc += dz;
      if (has_e) de[static_cast<int64_t>(p) * F + f] = dz;
      pacc += ga * m * diff;
    }
    dx[w] = gacc;
    partial[w] = pacc;
  }
}

}  // namespace

template <typename T>
void softmax_aggregate_forward(int64_t N, int64_t F, const int32_t* rowptr, const int32_t* col,
                               const int32_t* perm, const T* x, const T* e, const T* t, T eps,
                               T* out, T* stats) {
  if (N * F == 0) return;
  forward_kernel<T><<<blocks_for(N * F), kBlock, 0, launch_stream()>>>(N, F, rowptr, col, perm, x,
                                                                       e, t, eps, out, stats);
  FATHOM_CUDA_LAUNCH_CHECK("softmax_aggregate_forward");
}

template <typename T>
void softmax_aggregate_backward(int64_t N, int64_t S, int64_t F, const int32_t* t_rowptr,
                                const int32_t* t_col, const int32_t* t_perm, const T* x, const T* e,
                                const T* t, T eps, const T* out, const T* stats, const T* grad,
                                T* dx, T* de, T* dt, T* scratch) {
  if (S * F > 0) {
    backward_kernel<T><<<blocks_for(S * F), kBlock, 0, launch_stream()>>>(
        N, S, F, t_rowptr, t_col, t_perm, x, e, t, eps, out, stats, grad, dx, de, scratch);
    FATHOM_CUDA_LAUNCH_CHECK("softmax_aggregate_backward");
  }
  sum<T>(S * F, scratch, dt);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_aggr 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
