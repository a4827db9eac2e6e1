// The power-mean aggregation of GENConv on the GPU (core/kernel_list.inc), the twin of
// cpu/power_aggregate.cc. One thread serves one (row, channel) pair, so the threads of a warp
// read consecutive channels of one gathered row. The forward walks its row twice (the extreme
// message M, then the sum of (m/M)^p); the backward walks the transposed CSR and recomputes every
// message; every output element is written by one thread in CSR order, and the
// power's gradient is a fixed-order sum of per-(j, f) and per-(i, f) partials: deterministic, no
// atomics.
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
                   const T* __restrict__ x, const T* __restrict__ e, const T* __restrict__ p, T eps,
                   T* __restrict__ out, T* __restrict__ stats) {
  const T pw = p[0];
  const bool up = pw > T(0);
  for (int64_t w = global_thread(); w < N * F; w += grid_threads()) {
    const int64_t i = w / F, f = w % F;
    const int32_t begin = rowptr[i], end = rowptr[i + 1];
    T mx = T(0);
    for (int32_t k = begin; k < end; ++k) {
      const int32_t q = perm ? perm[k] : -1;
      const T z = x[static_cast<int64_t>(col[k]) * F + f] +
                  (e && q >= 0 ? e[static_cast<int64_t>(q) * F + f] : T(0));
      const T m = message(z, eps);
      mx = k == begin || (up ? m > mx : m < mx) ? m : mx;
    }
    T total = T(0);
    for (int32_t k = begin; k < end; ++k) {
      const int32_t q = perm ? perm[k] : -1;
      const T z = x[static_cast<int64_t>(col[k]) * F + f] +
                  (e && q >= 0 ? e[static_cast<int64_t>(q) * F + f] : T(0));
      total += exp(pw * log(message(z, eps) / mx));
    }
    const bool any = begin < end;
    out[w] = any ? mx * exp(log(total / static_cast<T>(end - begin)) / pw) : T(0);
    stats[w] = mx;
    stats[N * F + w] = total;
  }
}

template <typename T>
__global__ void __launch_bounds__(kBlock)
    backward_kernel(int64_t N, int64_t S, int64_t F, const int32_t* __restrict__ t_rowptr,
                    const int32_t* __restrict__ t_col, const int32_t* __restrict__ t_perm,
                    const T* __restrict__ x, const T* __restrict__ e, const T* __restrict__ p,
                    T eps, const T* __restrict__ out, const T* __restrict__ stats,
                    const T* __restrict__ grad, T* __restrict__ dx, T* __restrict__ de,
                    T* __restrict__ partial) {
  const T pw = p[0];
  for (int64_t w = global_thread(); w < S * F; w += grid_threads()) {
    const int64_t j = w / F, f = w % F;
    const T xv = x[w];
    T gacc = T(0), pacc = T(0);
    for (int32_t k = t_rowptr[j]; k < t_rowptr[j + 1]; ++k) {
      const int64_t at = static_cast<int64_t>(t_col[k]) * F + f;
      const int32_t q = t_perm ? t_perm[k] : -1;
      const bool has_e = e && q >= 0;
      const T z = xv + (has_e ? e[static_cast<int64_t>(q) * F + f] : T(0));
      const T m = message(z, eps);
      const T r = exp(pw * log(m / stats[at]));
      const T scaled = grad[at] * out[at] * r / stats[N * F + at];
      const T dz = scaled / m * (z > T(0) ? T(1) : T(0));  // as the CPU twin
      gacc += dz;
      if (has_e) de[static_cast<int64_t>(q) * F + f] = dz;
      pacc += scaled * log(m) / pw;
    }
    dx[w] = gacc;
    partial[w] = pacc;
  }
}

// The node terms of ∂L/∂p, −g out ln(out) / p (rows with S > 0), after the S·F edge partials.
template <typename T>
__global__ void __launch_bounds__(kBlock)
    node_kernel(const T* __restrict__ p, const T* __restrict__ out, const T* __restrict__ total,
                const T* __restrict__ grad, T* __restrict__ partial, int64_t NF) {
  const T pw = p[0];
  for (int64_t w = global_thread(); w < NF; w += grid_threads()) {
    partial[w] = total[w] > T(0) ? -grad[w] * out[w] * log(out[w]) / pw : T(0);
  }
}

}  // namespace

template <typename T>
void power_aggregate_forward(int64_t N, int64_t F, const int32_t* rowptr, const int32_t* col,
                             const int32_t* perm, const T* x, const T* e, const T* p, T eps, T* out,
                             T* stats) {
  if (N * F == 0) return;
  forward_kernel<T>
      <<<blocks_for(N * F), kBlock>>>(N, F, rowptr, col, perm, x, e, p, eps, out, stats);
  FATHOM_CUDA_LAUNCH_CHECK("power_aggregate_forward");
}

template <typename T>
void power_aggregate_backward(int64_t N, int64_t S, int64_t F, const int32_t* t_rowptr,
                              const int32_t* t_col, const int32_t* t_perm, const T* x, const T* e,
                              const T* p, T eps, const T* out, const T* stats, const T* grad, T* dx,
                              T* de, T* dp, T* scratch) {
  if (S * F > 0) {
    backward_kernel<T><<<blocks_for(S * F), kBlock>>>(N, S, F, t_rowptr, t_col, t_perm, x, e, p,
                                                      eps, out, stats, grad, dx, de, scratch);
    FATHOM_CUDA_LAUNCH_CHECK("power_aggregate_backward");
  }
  if (N * F > 0) {
    node_kernel<T>
        <<<blocks_for(N * F), kBlock>>>(p, out, stats + N * F, grad, scratch + S * F, N * F);
    FATHOM_CUDA_LAUNCH_CHECK("power_aggregate_backward (node terms)");
  }
  sum<T>((S + N) * F, scratch, dp);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_power_aggr 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
