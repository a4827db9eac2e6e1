// Layer normalization (core/kernel_list.inc) on the CPU. One thread owns a row: the
// row is read from memory once, and its mean, its sum of squares about that mean and its output
// are three sweeps over it while it sits in L1, all arithmetic in double. The row reductions use
// eight fixed lanes (the order depends on the width alone, and the compiler can vectorise them).
// The backward reads a row of x and grad from memory once: one sweep adds the row to the block's
// dweight and dbias partials and forms the two row sums dx needs, a second writes dx. dweight and
// dbias are summed per block of kRowSumBlock rows by the block's thread and combined in block order
// (row_sums.h): no atomics, bit-identical for any thread count.
//
// The row loops are compiled for AVX2 and the baseline ISA (simd_clones.h). Neither contracts
// into FMAs and the lanes fix the order of every sum, so both give the same bits. A missing
// weight or bias is read as a row of ones or zeros (v·1 + 0 = v), one code path for all cases.
#include <cmath>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "row_sums.h"
#include "simd_clones.h"

namespace fathom::cpu {
namespace {

constexpr int kLanes = 8;
constexpr int64_t kForwardRows = 64;  // rows per task of the forward's parallel loop

FATHOM_INLINE double fold(const double (&lane)[kLanes]) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// Rows [r0, r1): mean, rstd and y = (x − mean)·rstd·w + b.
template <typename T>
FATHOM_INLINE void forward_rows(int64_t r0, int64_t r1, int64_t n, const T* x, const T* w,
                                const T* b, double eps, T* y, double* mean, double* rstd) {
  const double inv_f = 1.0 / static_cast<double>(n);
  for (int64_t r = r0; r < r1; ++r) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    double lane[kLanes] = {};
    int64_t c = 0;
    for (; c + kLanes <= n; c += kLanes) {
      for (int l = 0; l < kLanes; ++l) lane[l] += static_cast<double>(xr[c + l]);
    }
    for (; c < n; ++c) lane[0] += static_cast<double>(xr[c]);
    const double m = fold(lane) * inv_f;
    double sq[kLanes] = {};
    for (c = 0; c + kLanes <= n; c += kLanes) {
      for (int l = 0; l < kLanes; ++l) {
        const double d = static_cast<double>(xr[c + l]) - m;
        sq[l] += d * d;
      }
    }
    for (; c < n; ++c) {
      const double d = static_cast<double>(xr[c]) - m;
      sq[0] += d * d;
    }
    const double rs = 1.0 / std::sqrt(fold(sq) * inv_f + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (c = 0; c < n; ++c) {
      yr[c] = static_cast<T>((static_cast<double>(xr[c]) - m) * rs * static_cast<double>(w[c]) +
                             static_cast<double>(b[c]));
    }
  }
}

// One row of the backward (x, grad and dx at the row). A row of x and grad is read from memory
// once: one sweep forms, with xhat = (x − m)·rs, gy = grad and g = gy·w,
//   kParams: acc_w[c] += gy·xhat and acc_b[c] += gy (the block's column partials, in the order of
//            row_block_sums: dbias has the bits of sum_rows(grad));
//   kDx:     Σg and Σg·xhat over the row (eight lanes);
// and with kDx a second writes dx = rs·(g − Σg/F − xhat·Σg·xhat/F). Written with a lambda per
// column: the form GCC vectorises (the same loop written out is left scalar).
template <bool kDx, bool kParams, typename T>
FATHOM_INLINE void backward_row(int64_t n, const T* xr, const T* w, const T* gr, double m,
                                double rs, double* acc_w, double* acc_b, T* dr) {
  double sg[kLanes] = {}, sgx[kLanes] = {};
  auto step = [&](int64_t c, int l) {
    const double gy = static_cast<double>(gr[c]);
    const double xh = (static_cast<double>(xr[c]) - m) * rs;
    if constexpr (kParams) {
      acc_w[c] += gy * xh;
      acc_b[c] += gy;
    }
    if constexpr (kDx) {
      const double g = gy * static_cast<double>(w[c]);
      sg[l] += g;
      sgx[l] += g * xh;
    }
  };
  int64_t c = 0;
  for (; c + kLanes <= n; c += kLanes) {
    for (int l = 0; l < kLanes; ++l) step(c + l, l);
  }
  for (; c < n; ++c) step(c, 0);
  if constexpr (kDx) {
    const double inv_f = 1.0 / static_cast<double>(n);
    const double a = fold(sg) * inv_f;
    const double b = fold(sgx) * inv_f;
    for (c = 0; c < n; ++c) {
      const double g = static_cast<double>(gr[c]) * static_cast<double>(w[c]);
      const double xh = (static_cast<double>(xr[c]) - m) * rs;
      dr[c] = static_cast<T>(rs * (g - a - xh * b));
    }
  }
}

template <bool kDx, bool kParams, typename T>
FATHOM_INLINE void backward_rows(int64_t r0, int64_t r1, int64_t n, const T* x, const T* w,
                                 const double* mean, const double* rstd, const T* grad, T* dx,
                                 double* acc_w, double* acc_b) {
  for (int64_t r = r0; r < r1; ++r) {
    backward_row<kDx, kParams>(n, x + r * n, w, grad + r * n, mean[r], rstd[r], acc_w, acc_b,
                               kDx ? dx + r * n : nullptr);
  }
}

// One entry point per dtype and case (target_clones wants plain functions).
#define FATHOM_LN_FORWARD(name, T)                                                               \
  FATHOM_CLONES void name(int64_t r0, int64_t r1, int64_t n, const T* x, const T* w, const T* b, \
                          double eps, T* y, double* mean, double* rstd) {                        \
    forward_rows<T>(r0, r1, n, x, w, b, eps, y, mean, rstd);                                     \
  }
#define FATHOM_LN_BACKWARD(name, T, dx_, params_)                                        \
  FATHOM_CLONES void name(int64_t r0, int64_t r1, int64_t n, const T* x, const T* w,     \
                          const double* mean, const double* rstd, const T* grad, T* dx,  \
                          double* acc_w, double* acc_b) {                                \
    backward_rows<dx_, params_, T>(r0, r1, n, x, w, mean, rstd, grad, dx, acc_w, acc_b); \
  }
FATHOM_LN_FORWARD(forward_f32, float)
FATHOM_LN_FORWARD(forward_f64, double)
FATHOM_LN_BACKWARD(backward_all_f32, float, true, true)
FATHOM_LN_BACKWARD(backward_all_f64, double, true, true)
FATHOM_LN_BACKWARD(backward_dx_f32, float, true, false)
FATHOM_LN_BACKWARD(backward_dx_f64, double, true, false)
FATHOM_LN_BACKWARD(backward_params_f32, float, false, true)
FATHOM_LN_BACKWARD(backward_params_f64, double, false, true)
#undef FATHOM_LN_FORWARD
#undef FATHOM_LN_BACKWARD

template <typename T>
using BackwardFn = void (*)(int64_t, int64_t, int64_t, const T*, const T*, const double*,
                            const double*, const T*, T*, double*, double*);

inline void forward_pass(int64_t r0, int64_t r1, int64_t n, const float* x, const float* w,
                         const float* b, double eps, float* y, double* mean, double* rstd) {
  forward_f32(r0, r1, n, x, w, b, eps, y, mean, rstd);
}
inline void forward_pass(int64_t r0, int64_t r1, int64_t n, const double* x, const double* w,
                         const double* b, double eps, double* y, double* mean, double* rstd) {
  forward_f64(r0, r1, n, x, w, b, eps, y, mean, rstd);
}
inline BackwardFn<float> backward_pass(const float*, bool dx, bool params) {
  return dx ? (params ? backward_all_f32 : backward_dx_f32) : backward_params_f32;
}
inline BackwardFn<double> backward_pass(const double*, bool dx, bool params) {
  return dx ? (params ? backward_all_f64 : backward_dx_f64) : backward_params_f64;
}

}  // namespace

template <typename T>
void layer_norm(int64_t rows, int64_t cols, const T* x, const T* weight, const T* bias, double eps,
                T* y, double* mean, double* rstd) {
  if (rows <= 0 || cols <= 0) return;
  const std::vector<T> ones(weight == nullptr ? static_cast<size_t>(cols) : 0, T(1));
  const std::vector<T> zeros(bias == nullptr ? static_cast<size_t>(cols) : 0, T(0));
  const T* w = weight != nullptr ? weight : ones.data();
  const T* b = bias != nullptr ? bias : zeros.data();
  const int64_t tasks = (rows + kForwardRows - 1) / kForwardRows;
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t end = (t + 1) * kForwardRows < rows ? (t + 1) * kForwardRows : rows;
    forward_pass(t * kForwardRows, end, cols, x, w, b, eps, y, mean, rstd);
  }
}

template <typename T>
void layer_norm_backward(int64_t rows, int64_t cols, const T* x, const T* weight,
                         const double* mean, const double* rstd, const T* grad, T* dx, T* dweight,
                         T* dbias) {
  if (cols <= 0) return;
  const int64_t n_rows = rows > 0 ? rows : 0;
  const bool params = dweight != nullptr || dbias != nullptr;
  const int64_t blocks = (n_rows + kRowSumBlock - 1) / kRowSumBlock;
  // One partial row per block of rows for each of the two sums (rows * cols / kRowSumBlock
  // doubles each); both are accumulated in the one sweep when either is wanted.
  std::vector<double> part(params ? static_cast<size_t>(2 * blocks * cols) : 0, 0.0);
  if (n_rows > 0 && (dx != nullptr || params)) {
    const std::vector<T> ones(weight == nullptr ? static_cast<size_t>(cols) : 0, T(1));
    const T* w = weight != nullptr ? weight : ones.data();
    const auto pass = backward_pass(x, dx != nullptr, params);
#pragma omp parallel for schedule(static) if (n_rows * cols >= kParallelMin)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      double* acc_w = params ? part.data() + blk * cols : nullptr;
      double* acc_b = params ? part.data() + (blocks + blk) * cols : nullptr;
      const int64_t end = (blk + 1) * kRowSumBlock < n_rows ? (blk + 1) * kRowSumBlock : n_rows;
      pass(blk * kRowSumBlock, end, cols, x, w, mean, rstd, grad, dx, acc_w, acc_b);
    }
  }
  if (dweight != nullptr) finish_row_sums(blocks, cols, part.data(), dweight);
  if (dbias != nullptr) finish_row_sums(blocks, cols, part.data() + blocks * cols, dbias);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_layer_norm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
