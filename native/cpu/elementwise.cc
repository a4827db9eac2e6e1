// Elementwise kernels: each output element depends on its own inputs only, so a static split of
// the index range is trivially thread-count independent. Outputs may alias inputs where the
// contract allows it, hence no __restrict here.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {

template <typename T>
void axpby(int64_t n, T a, const T* x, T b, const T* y, T* out) {
  if (y == nullptr) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) out[i] = a * x[i];
    return;
  }
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = a * x[i] + b * y[i];
}

template <typename T>
void mul(int64_t n, const T* x, const T* y, T* out) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * y[i];
}

template <typename T>
void bias_add(int64_t rows, int64_t cols, const T* x, const T* bias, T* out) {
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * cols;
    T* o = out + r * cols;
    for (int64_t c = 0; c < cols; ++c) o[c] = xr[c] + bias[c];
  }
}

// NaN propagates (x < 0 is false for NaN), matching PyTorch, so a diverging run stays visible.
template <typename T>
void relu(int64_t n, const T* x, T* out) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] < T(0) ? T(0) : x[i];
}

template <typename T>
void relu_backward(int64_t n, const T* grad, const T* y, T* out) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  // Unconditional loads: with grad[i] read only on one side of the select the compiler may not
  // vectorize (it could fault), and this runs once per ReLU per backward pass.
  for (int64_t i = 0; i < n; ++i) {
    const T g = grad[i];
    out[i] = y[i] > T(0) ? g : T(0);
  }
}

// One byte (eight elements) per iteration: each byte of the mask has one writer, so threads
// never share a mask word.
template <typename T>
void relu_mask(int64_t n, const T* x, T* out, uint8_t* mask) {
  const int64_t bytes = (n + 7) / 8;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t b = 0; b < bytes; ++b) {
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
void relu_backward_mask(int64_t n, const T* grad, const uint8_t* mask, T* out) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    const T g = grad[i];
    out[i] = (mask[i >> 3] >> (i & 7)) & 1u ? g : T(0);
  }
}

template <typename T>
void fill(int64_t n, T value, T* out) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = value;
}

template <typename From, typename To>
void cast(int64_t n, const From* src, To* dst) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<To>(src[i]);
}

template <typename T>
void gather(int64_t n, const int32_t* perm, const T* in, T* out, T fill_value) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = perm[i] < 0 ? fill_value : in[perm[i]];
}

template <typename T>
void gather_rows(int64_t rows, int64_t F, const int32_t* index, const T* in, T* out) {
#pragma omp parallel for schedule(static) if (rows * F >= kParallelMin)
  for (int64_t i = 0; i < rows; ++i) {
    std::memcpy(out + i * F, in + static_cast<int64_t>(index[i]) * F, sizeof(T) * F);
  }
}

// The device-scalar forms (kernel_list.inc): the same double arithmetic as the host forms, then
// axpby's rounding, so that the CPU twins agree bit for bit with the ops' host paths.
template <typename T>
void fill_scaled(int64_t n, const T* s, double factor, T* out) {
  fill<T>(n, static_cast<T>(factor * static_cast<double>(s[0])), out);
}

template <typename T>
void scale_by_scalar(int64_t n, const T* s, double factor, const T* x, T* out) {
  axpby<T>(n, static_cast<T>(factor * static_cast<double>(s[0])), x, T(0), nullptr, out);
}

template <typename T>
void normalize_by_norm(int64_t n, const double* sumsq, const T* x, T* out) {
  const double norm = std::sqrt(sumsq[0]);
  if (norm > 0) {
    axpby<T>(n, static_cast<T>(1.0 / norm), x, T(0), nullptr, out);
  } else if (out != x) {
    std::copy(x, x + n, out);
  }
}

template <typename T>
void scale_by_quotient(int64_t n, double c, const double* sigma, const T* x, T* out) {
  if (!(std::abs(sigma[0]) > 1e-12)) {
    fill<T>(n, std::numeric_limits<T>::quiet_NaN(), out);
    return;
  }
  axpby<T>(n, static_cast<T>(c / sigma[0]), x, T(0), nullptr, out);
}

template <typename T>
void spectral_backward_combine(int64_t n, double c, const double* sigma, const double* dotsum,
                               const T* grad, const T* uv, T* out) {
  const double k = c / sigma[0];
  const double dot = dotsum[0] / sigma[0];
  if (!(std::abs(sigma[0]) > 1e-12) || !std::isfinite(k * dot)) {
    fill<T>(n, std::numeric_limits<T>::quiet_NaN(), out);
    return;
  }
  axpby<T>(n, static_cast<T>(k), grad, static_cast<T>(-k * dot), uv, out);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_elementwise 1
#include "../core/kernel_instances.inc"

#define FATHOM_CAST_PAIR(F, T) template void cast<F, T>(int64_t, const F*, T*);
#include "../core/cast_pairs.inc"
#undef FATHOM_CAST_PAIR

}  // namespace fathom::cpu
