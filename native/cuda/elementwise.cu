// Elementwise kernels: one int64 grid-stride loop each. Every output element depends on its own
// inputs only, so the results are the CPU's formulas evaluated per element (outputs may alias
// inputs where the contract allows it, hence no __restrict__ on those).
#include <math_constants.h>

#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

template <typename T>
__global__ void axpby_kernel(int64_t n, T a, const T* x, T b, const T* y, T* out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    // Separately rounded products and sum, as the CPU computes them (no FMA contraction).
    out[i] = y != nullptr ? add_rn(mul_rn(a, x[i]), mul_rn(b, y[i])) : mul_rn(a, x[i]);
  }
}

template <typename T>
__global__ void mul_kernel(int64_t n, const T* x, const T* y, T* out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) out[i] = x[i] * y[i];
}

template <typename T>
__global__ void bias_add_kernel(int64_t rows, int64_t cols, const T* x, const T* __restrict__ bias,
                                T* out) {
  const int64_t n = rows * cols;
  for (int64_t i = global_thread(); i < n; i += grid_threads()) out[i] = x[i] + bias[i % cols];
}

// NaN propagates (NaN < 0 is false), as on the CPU and in PyTorch.
template <typename T>
__global__ void relu_kernel(int64_t n, const T* x, T* out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    const T v = x[i];
    out[i] = v < T(0) ? T(0) : v;
  }
}

template <typename T>
__global__ void relu_backward_kernel(int64_t n, const T* grad, const T* y, T* out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    out[i] = y[i] > T(0) ? grad[i] : T(0);
  }
}

// One thread per mask byte (eight elements), so every byte has a single writer.
template <typename T>
__global__ void relu_mask_kernel(int64_t n, const T* x, T* out, uint8_t* mask) {
  const int64_t bytes = (n + 7) / 8;
  for (int64_t b = global_thread(); b < bytes; b += grid_threads()) {
    const int64_t begin = b * 8;
    const int64_t end = begin + 8 < n ? begin + 8 : n;
    unsigned bits = 0;
    for (int64_t i = begin; i < end; ++i) {
      const T v = x[i];
      out[i] = v < T(0) ? T(0) : v;
      bits |= static_cast<unsigned>(v > T(0)) << (i - begin);
    }
    mask[b] = static_cast<uint8_t>(bits);
  }
}

template <typename T>
__global__ void relu_backward_mask_kernel(int64_t n, const T* grad, const uint8_t* mask, T* out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    out[i] = (mask[i >> 3] >> (i & 7)) & 1u ? grad[i] : T(0);
  }
}

template <typename T>
__global__ void gather_kernel(int64_t n, const int32_t* __restrict__ perm, const T* __restrict__ in,
                              T* __restrict__ out, T fill_value) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    const int32_t p = perm[i];
    out[i] = p < 0 ? fill_value : in[p];
  }
}

template <typename T>
__global__ void gather_rows_kernel(int64_t rows, int64_t F, const int32_t* __restrict__ index,
                                   const T* __restrict__ in, T* __restrict__ out) {
  for (int64_t k = global_thread(); k < rows * F; k += grid_threads()) {
    const int64_t i = k / F;
    out[k] = in[static_cast<int64_t>(index[i]) * F + (k - i * F)];
  }
}

template <typename T>
__global__ void fill_kernel(int64_t n, T value, T* out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) out[i] = value;
}

template <typename From, typename To>
__global__ void cast_kernel(int64_t n, const From* src, To* dst) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) dst[i] = static_cast<To>(src[i]);
}

// The device-scalar forms (core/kernel_list.inc). Every thread derives the coefficient from the
// one-element input itself: no extra launch, and the double arithmetic (__d*_rn, IEEE sqrt and
// division) is the host form's, so the coefficient is the same double the host would compute.
template <typename T>
__global__ void fill_scaled_kernel(int64_t n, const T* s, double factor, T* out) {
  const T value = static_cast<T>(__dmul_rn(factor, static_cast<double>(s[0])));
  for (int64_t i = global_thread(); i < n; i += grid_threads()) out[i] = value;
}

template <typename T>
__global__ void scale_by_scalar_kernel(int64_t n, const T* s, double factor, const T* x, T* out) {
  const T a = static_cast<T>(__dmul_rn(factor, static_cast<double>(s[0])));
  for (int64_t i = global_thread(); i < n; i += grid_threads()) out[i] = mul_rn(a, x[i]);
}

template <typename T>
__global__ void normalize_by_norm_kernel(int64_t n, const double* sumsq, const T* x, T* out) {
  const double norm = __dsqrt_rn(sumsq[0]);
  const bool scaled = norm > 0;
  const T a = scaled ? static_cast<T>(__ddiv_rn(1.0, norm)) : T(1);
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    out[i] = scaled ? mul_rn(a, x[i]) : x[i];
  }
}

template <typename T>
__global__ void scale_by_quotient_kernel(int64_t n, double c, const double* sigma, const T* x,
                                         T* out) {
  const bool ok = fabs(sigma[0]) > 1e-12;
  const T a = static_cast<T>(__ddiv_rn(c, sigma[0]));
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    out[i] = ok ? mul_rn(a, x[i]) : static_cast<T>(CUDART_NAN);
  }
}

template <typename T>
__global__ void spectral_backward_combine_kernel(int64_t n, double c, const double* sigma,
                                                 const double* dotsum, const T* grad, const T* uv,
                                                 T* out) {
  const double k = __ddiv_rn(c, sigma[0]);
  const double dot = __ddiv_rn(dotsum[0], sigma[0]);
  const double kd = __dmul_rn(k, dot);
  const bool ok = fabs(sigma[0]) > 1e-12 && isfinite(kd);
  const T a = static_cast<T>(k);
  const T b = static_cast<T>(__dmul_rn(-k, dot));
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    out[i] = ok ? add_rn(mul_rn(a, grad[i]), mul_rn(b, uv[i])) : static_cast<T>(CUDART_NAN);
  }
}

}  // namespace

template <typename T>
void axpby(int64_t n, T a, const T* x, T b, const T* y, T* out) {
  if (n <= 0) return;
  axpby_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, a, x, b, y, out);
  FATHOM_CUDA_LAUNCH_CHECK("axpby");
}

template <typename T>
void mul(int64_t n, const T* x, const T* y, T* out) {
  if (n <= 0) return;
  mul_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, x, y, out);
  FATHOM_CUDA_LAUNCH_CHECK("mul");
}

template <typename T>
void bias_add(int64_t rows, int64_t cols, const T* x, const T* bias, T* out) {
  if (rows <= 0 || cols <= 0) return;
  bias_add_kernel<T>
      <<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(rows, cols, x, bias, out);
  FATHOM_CUDA_LAUNCH_CHECK("bias_add");
}

template <typename T>
void relu(int64_t n, const T* x, T* out) {
  if (n <= 0) return;
  relu_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, x, out);
  FATHOM_CUDA_LAUNCH_CHECK("relu");
}

template <typename T>
void relu_backward(int64_t n, const T* grad, const T* y, T* out) {
  if (n <= 0) return;
  relu_backward_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, grad, y, out);
  FATHOM_CUDA_LAUNCH_CHECK("relu_backward");
}

template <typename T>
void relu_mask(int64_t n, const T* x, T* out, uint8_t* mask) {
  if (n <= 0) return;
  relu_mask_kernel<T><<<blocks_for((n + 7) / 8), kBlock, 0, launch_stream()>>>(n, x, out, mask);
  FATHOM_CUDA_LAUNCH_CHECK("relu_mask");
}

template <typename T>
void relu_backward_mask(int64_t n, const T* grad, const uint8_t* mask, T* out) {
  if (n <= 0) return;
  relu_backward_mask_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, grad, mask, out);
  FATHOM_CUDA_LAUNCH_CHECK("relu_backward_mask");
}

template <typename T>
void gather(int64_t n, const int32_t* perm, const T* in, T* out, T fill_value) {
  if (n <= 0) return;
  gather_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, perm, in, out, fill_value);
  FATHOM_CUDA_LAUNCH_CHECK("gather");
}

template <typename T>
void gather_rows(int64_t rows, int64_t F, const int32_t* index, const T* in, T* out) {
  if (rows <= 0 || F <= 0) return;
  gather_rows_kernel<T>
      <<<blocks_for(rows * F), kBlock, 0, launch_stream()>>>(rows, F, index, in, out);
  FATHOM_CUDA_LAUNCH_CHECK("gather_rows");
}

template <typename T>
void fill(int64_t n, T value, T* out) {
  if (n <= 0) return;
  fill_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, value, out);
  FATHOM_CUDA_LAUNCH_CHECK("fill");
}

template <typename From, typename To>
void cast(int64_t n, const From* src, To* dst) {
  if (n <= 0) return;
  cast_kernel<From, To><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, src, dst);
  FATHOM_CUDA_LAUNCH_CHECK("cast");
}

template <typename T>
void fill_scaled(int64_t n, const T* s, double factor, T* out) {
  if (n <= 0) return;
  fill_scaled_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, s, factor, out);
  FATHOM_CUDA_LAUNCH_CHECK("fill_scaled");
}

template <typename T>
void scale_by_scalar(int64_t n, const T* s, double factor, const T* x, T* out) {
  if (n <= 0) return;
  scale_by_scalar_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, s, factor, x, out);
  FATHOM_CUDA_LAUNCH_CHECK("scale_by_scalar");
}

template <typename T>
void normalize_by_norm(int64_t n, const double* sumsq, const T* x, T* out) {
  if (n <= 0) return;
  normalize_by_norm_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, sumsq, x, out);
  FATHOM_CUDA_LAUNCH_CHECK("normalize_by_norm");
}

template <typename T>
void scale_by_quotient(int64_t n, double c, const double* sigma, const T* x, T* out) {
  if (n <= 0) return;
  scale_by_quotient_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, c, sigma, x, out);
  FATHOM_CUDA_LAUNCH_CHECK("scale_by_quotient");
}

template <typename T>
void spectral_backward_combine(int64_t n, double c, const double* sigma, const double* dotsum,
                               const T* grad, const T* uv, T* out) {
  if (n <= 0) return;
  spectral_backward_combine_kernel<T>
      <<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, c, sigma, dotsum, grad, uv, out);
  FATHOM_CUDA_LAUNCH_CHECK("spectral_backward_combine");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_elementwise 1
#include "../core/kernel_instances.inc"

#define FATHOM_CAST_PAIR(F, T) template void cast<F, T>(int64_t, const F*, T*);
#include "../core/cast_pairs.inc"
#undef FATHOM_CAST_PAIR

}  // namespace fathom::cuda
