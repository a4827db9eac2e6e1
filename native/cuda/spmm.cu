// Sparse (CSR) x dense products on the GPU, without atomics.
//
// Both kernels give each CSR row to a group of G lanes of one warp (G = 32 for wide features,
// a smaller power of two for narrow ones, so a warp then serves 32/G rows at once). In spmm the
// lanes split the feature columns and walk the row's nonzeros in order, so each output element
// is a sequential sum in CSR order: the same on every run. In sddmm the lanes split one dot
// product and combine it with a fixed shuffle tree.
#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    spmm_kernel(int64_t rows, int64_t F, const int32_t* __restrict__ rowptr,
                const int32_t* __restrict__ col, const T* __restrict__ vals,
                const T* __restrict__ X, T* __restrict__ Y, T alpha, T self_scale,
                const T* __restrict__ bias, bool relu, const T* __restrict__ self_dev,
                double self_base) {
  // spmm_self_dev: the self term read on the device, rounded to T as the host rounds it.
  if (self_dev != nullptr) {
    self_scale = static_cast<T>(__dadd_rn(self_base, static_cast<double>(self_dev[0])));
  }
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const int32_t begin = rowptr[r];
    const int32_t end = rowptr[r + 1];
    T* y = Y + r * F;
    const T* xr = X + r * F;
    for (int64_t f = lane; f < F; f += G) {
      T acc = T(0);
      for (int32_t k = begin; k < end; ++k) {
        const T w = vals != nullptr ? vals[k] : T(1);
        acc += w * X[static_cast<int64_t>(col[k]) * F + f];
      }
      // As on the CPU: a zero self term is skipped, so a non-finite X[r] cannot turn into NaN
      // and non-square operators may pass self_scale = 0.
      // The fused GCN layer's epilogue (bias, then ReLU) rounds as bias_add and relu do: add_rn
      // keeps nvcc from contracting alpha * acc + bias into one FMA.
      T v = self_scale != T(0) ? alpha * acc + self_scale * xr[f] : alpha * acc;
      if (bias != nullptr) v = add_rn(v, bias[f]);
      if (relu) v = v < T(0) ? T(0) : v;
      y[f] = v;
    }
  }
}

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    sddmm_kernel(int64_t rows, int64_t F, const int32_t* __restrict__ rowptr,
                 const int32_t* __restrict__ col, const T* __restrict__ A, const T* __restrict__ B,
                 T* __restrict__ out) {
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  // Every lane of a group runs the same trip counts (same r, same row), as group_sum requires.
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const int32_t begin = rowptr[r];
    const int32_t end = rowptr[r + 1];
    const T* a = A + r * F;
    for (int32_t k = begin; k < end; ++k) {
      const T* b = B + static_cast<int64_t>(col[k]) * F;
      T acc = T(0);
      for (int64_t f = lane; f < F; f += G) acc += a[f] * b[f];
      acc = group_sum<G>(acc);
      if (lane == 0) out[k] = acc;
    }
  }
}

template <typename T>
void launch_spmm(const char* name, int64_t rows, int64_t F, const int32_t* rowptr,
                 const int32_t* col, const T* vals, const T* X, T* Y, T alpha, T self_scale,
                 const T* bias, bool relu, const T* self_dev = nullptr, double self_base = 0) {
  if (rows <= 0 || F <= 0) return;
  with_group_lanes(F, [&](auto g) {
    constexpr int G = decltype(g)::value;
    spmm_kernel<G, T><<<row_group_blocks(rows, G), kBlock, 0, launch_stream()>>>(
        rows, F, rowptr, col, vals, X, Y, alpha, self_scale, bias, relu, self_dev, self_base);
  });
  FATHOM_CUDA_LAUNCH_CHECK(name);
}

}  // namespace

template <typename T>
void spmm(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col, const T* vals,
          const T* X, T* Y, T alpha, T self_scale) {
  launch_spmm<T>("spmm", rows, F, rowptr, col, vals, X, Y, alpha, self_scale, nullptr, false);
}

template <typename T>
void spmm_bias_act(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col,
                   const T* vals, const T* X, T* Y, T alpha, T self_scale, const T* bias,
                   bool relu) {
  launch_spmm<T>("spmm_bias_act", rows, F, rowptr, col, vals, X, Y, alpha, self_scale, bias, relu);
}

template <typename T>
void spmm_self_dev(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col,
                   const T* vals, const T* X, T* Y, T alpha, double self_base, const T* s) {
  launch_spmm<T>("spmm_self_dev", rows, F, rowptr, col, vals, X, Y, alpha, T(0), nullptr, false, s,
                 self_base);
}

template <typename T>
void sddmm(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col, const T* A,
           const T* B, T* out) {
  if (rows <= 0) return;
  // F == 0: every dot product is empty; the kernel writes 0 for each stored entry.
  with_group_lanes(F, [&](auto g) {
    constexpr int G = decltype(g)::value;
    sddmm_kernel<G, T><<<row_group_blocks(rows, G), kBlock, 0, launch_stream()>>>(rows, F, rowptr,
                                                                                  col, A, B, out);
  });
  FATHOM_CUDA_LAUNCH_CHECK("sddmm");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_spmm 1
#define FATHOM_FAMILY_sddmm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
