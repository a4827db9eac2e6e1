// The power-mean aggregation of GENConv on the CPU (core/kernel_list.inc). The forward walks each
// target row twice: the per-channel extreme message M first (the largest for p > 0, the smallest
// for p < 0), then the sum of (m/M)^p ≤ 1, so no power overflows or underflows to 0. The backward
// walks the transposed CSR, one source row per thread, recomputing every message from x and e and
// reading the saved M and sum: dx and de are written by one thread each and the power's gradient
// is a sum of per-(j, f) and per-(i, f) partials in a fixed order, so the results do not depend on
// the thread count and need no atomics. The channel loops are written to vectorize (the edge
// term a template parameter, float's exp and log as polynomials: fast_exp.h, fast_log.h) and the
// row passes get an AVX2 clone picked at load time (simd_clones.h).
#include <algorithm>
#include <cmath>

#include "fast_exp.h"
#include "fast_log.h"
#include "kernels.h"
#include "parallel.h"
#include "simd_clones.h"

namespace fathom::cpu {
namespace {

// m = ReLU(z) + eps.
template <typename T>
FATHOM_INLINE T message(T z, T eps) {
  return (z > T(0) ? z : T(0)) + eps;
}

// Everything the passes read or write; one per call.
template <typename T>
struct PowerAggr {
  int64_t N, F;
  int64_t S;                           // backward: the sources (rows of the transpose)
  const int32_t *rowptr, *col, *perm;  // forward: the CSR; backward: its transpose
  const T *x, *e;
  T p, eps;
  // forward
  T *out, *stats;
  // backward
  const T *fwd_out, *fwd_stats, *grad;
  T *dx, *de, *partial;
};

// The edge-feature row of entry k, or null where there is none (no e, or an added self loop).
template <typename T>
inline const T* edge_row(const PowerAggr<T>& a, int32_t k) {
  if (a.e == nullptr || a.perm == nullptr || a.perm[k] < 0) return nullptr;
  return a.e + static_cast<int64_t>(a.perm[k]) * a.F;
}

// (m / M)^p for one channel, M the row's extreme message (so the ratio's power is ≤ 1).
template <typename T>
FATHOM_INLINE T scaled_power(T m, T M, T p) {
  return fast_exp(p * fast_log(m / M));
}

// The extreme message of every channel over one entry (first: the row's first entry), and the
// sum of the scaled powers; kEdge says whether the entry has an edge-feature row.
template <typename T, bool kEdge>
FATHOM_INLINE void entry_extreme(int64_t F, bool first, bool up, T eps, const T* __restrict xr,
                                 const T* __restrict er, T* __restrict mx) {
  for (int64_t f = 0; f < F; ++f) {
    T z = xr[f];
    if constexpr (kEdge) z += er[f];
    const T m = message(z, eps);
    mx[f] = first || (up ? m > mx[f] : m < mx[f]) ? m : mx[f];
  }
}
template <typename T, bool kEdge>
FATHOM_INLINE void entry_total(int64_t F, T p, T eps, const T* __restrict xr,
                               const T* __restrict er, const T* __restrict mx,
                               T* __restrict total) {
  for (int64_t f = 0; f < F; ++f) {
    T z = xr[f];
    if constexpr (kEdge) z += er[f];
    total[f] += scaled_power(message(z, eps), mx[f], p);
  }
}

template <typename T>
FATHOM_INLINE void forward_rows(const PowerAggr<T>& a, int64_t i0, int64_t i1) {
  const int64_t N = a.N, F = a.F;
  const bool up = a.p > T(0);  // M is the largest message for p > 0, the smallest otherwise
  for (int64_t i = i0; i < i1; ++i) {
    T* o = a.out + i * F;
    T* mx = a.stats + i * F;
    T* total = a.stats + N * F + i * F;
    const int32_t begin = a.rowptr[i], end = a.rowptr[i + 1];
    for (int64_t f = 0; f < F; ++f) {
      o[f] = mx[f] = total[f] = T(0);
    }
    if (begin == end) continue;
    for (int32_t k = begin; k < end; ++k) {
      const T* xr = a.x + static_cast<int64_t>(a.col[k]) * F;
      const T* er = edge_row(a, k);
      if (er) {
        entry_extreme<T, true>(F, k == begin, up, a.eps, xr, er, mx);
      } else {
        entry_extreme<T, false>(F, k == begin, up, a.eps, xr, er, mx);
      }
    }
    for (int32_t k = begin; k < end; ++k) {
      const T* xr = a.x + static_cast<int64_t>(a.col[k]) * F;
      const T* er = edge_row(a, k);
      if (er) {
        entry_total<T, true>(F, a.p, a.eps, xr, er, mx, total);
      } else {
        entry_total<T, false>(F, a.p, a.eps, xr, er, mx, total);
      }
    }
    const T deg = static_cast<T>(end - begin);
    for (int64_t f = 0; f < F; ++f) o[f] = mx[f] * fast_exp(fast_log(total[f] / deg) / a.p);
  }
}

// Backward, one transposed entry (source j → target i): dx_j, de_ij (kEdge) and the power's
// per-(j, f) partials.
template <typename T, bool kEdge>
FATHOM_INLINE void entry_grad(int64_t F, T p, T eps, const T* __restrict xr, const T* __restrict er,
                              const T* __restrict gi, const T* __restrict oi,
                              const T* __restrict mx, const T* __restrict total, T* __restrict g,
                              T* __restrict der, T* __restrict part) {
  for (int64_t f = 0; f < F; ++f) {
    T z = xr[f];
    if constexpr (kEdge) z += er[f];
    const T m = message(z, eps);
    const T lm = fast_log(m);
    // (m / M)^p as exp(p·(ln m − ln M)) would lose the ratio's precision; keep the quotient.
    const T r = scaled_power(m, mx[f], p);
    const T scaled = gi[f] * oi[f] * r / total[f];
    const T dz = scaled / m * (z > T(0) ? T(1) : T(0));
    g[f] += dz;
    if constexpr (kEdge) der[f] = dz;
    part[f] += scaled * lm / p;
  }
}

// Backward, the edge terms: one transposed row (source j) per call.
template <typename T>
FATHOM_INLINE void backward_rows(const PowerAggr<T>& a, int64_t j0, int64_t j1) {
  const int64_t N = a.N, F = a.F;
  for (int64_t j = j0; j < j1; ++j) {
    const T* xr = a.x + j * F;
    T* g = a.dx + j * F;
    T* part = a.partial + j * F;
    for (int64_t f = 0; f < F; ++f) g[f] = part[f] = T(0);
    for (int32_t k = a.rowptr[j]; k < a.rowptr[j + 1]; ++k) {
      const int64_t at = static_cast<int64_t>(a.col[k]) * F;
      const T* mx = a.fwd_stats + at;
      const T* total = a.fwd_stats + N * F + at;  // ≥ 1: row i holds this entry
      const T* oi = a.fwd_out + at;
      const T* gi = a.grad + at;
      const T* er = edge_row(a, k);
      if (er) {
        T* der = a.de + static_cast<int64_t>(a.perm[k]) * F;
        entry_grad<T, true>(F, a.p, a.eps, xr, er, gi, oi, mx, total, g, der, part);
      } else {
        entry_grad<T, false>(F, a.p, a.eps, xr, er, gi, oi, mx, total, g, nullptr, part);
      }
    }
  }
}

// Backward, the node terms −g out ln(out) / p, one target row per call (partials after the S·F
// edge partials; empty rows, S = 0, add nothing).
template <typename T>
FATHOM_INLINE void node_rows(const PowerAggr<T>& a, int64_t i0, int64_t i1) {
  const int64_t N = a.N, F = a.F;
  for (int64_t i = i0; i < i1; ++i) {
    const T* total = a.fwd_stats + N * F + i * F;
    const T* o = a.fwd_out + i * F;
    const T* g = a.grad + i * F;
    T* part = a.partial + a.S * F + i * F;
    for (int64_t f = 0; f < F; ++f) {
      part[f] = total[f] > T(0) ? -g[f] * o[f] * fast_log(o[f]) / a.p : T(0);
    }
  }
}

// One entry point per pass and dtype (target_clones wants plain functions).
FATHOM_CLONES void forward_f32(const PowerAggr<float>& a, int64_t r0, int64_t r1) {
  forward_rows(a, r0, r1);
}
FATHOM_CLONES void forward_f64(const PowerAggr<double>& a, int64_t r0, int64_t r1) {
  forward_rows(a, r0, r1);
}
FATHOM_CLONES void backward_f32(const PowerAggr<float>& a, int64_t r0, int64_t r1) {
  backward_rows(a, r0, r1);
}
FATHOM_CLONES void backward_f64(const PowerAggr<double>& a, int64_t r0, int64_t r1) {
  backward_rows(a, r0, r1);
}
FATHOM_CLONES void node_f32(const PowerAggr<float>& a, int64_t r0, int64_t r1) {
  node_rows(a, r0, r1);
}
FATHOM_CLONES void node_f64(const PowerAggr<double>& a, int64_t r0, int64_t r1) {
  node_rows(a, r0, r1);
}
inline void forward_pass(const PowerAggr<float>& a, int64_t r0, int64_t r1) {
  forward_f32(a, r0, r1);
}
inline void forward_pass(const PowerAggr<double>& a, int64_t r0, int64_t r1) {
  forward_f64(a, r0, r1);
}
inline void backward_pass(const PowerAggr<float>& a, int64_t r0, int64_t r1) {
  backward_f32(a, r0, r1);
}
inline void backward_pass(const PowerAggr<double>& a, int64_t r0, int64_t r1) {
  backward_f64(a, r0, r1);
}
inline void node_pass(const PowerAggr<float>& a, int64_t r0, int64_t r1) { node_f32(a, r0, r1); }
inline void node_pass(const PowerAggr<double>& a, int64_t r0, int64_t r1) { node_f64(a, r0, r1); }

// pass(a, r0, r1) over rows [0, n) in blocks of 16 handed out dynamically (degrees vary widely).
template <typename T>
void over_rows(const PowerAggr<T>& a, int64_t n, int64_t work,
               void (*pass)(const PowerAggr<T>&, int64_t, int64_t)) {
  constexpr int64_t kRows = 16;
  const int64_t blocks = (n + kRows - 1) / kRows;
#pragma omp parallel for schedule(dynamic, 1) if (work >= kParallelMin)
  for (int64_t b = 0; b < blocks; ++b) pass(a, b * kRows, std::min(n, (b + 1) * kRows));
}

}  // namespace

template <typename T>
void power_aggregate_forward(int64_t N, int64_t F, const int32_t* rowptr, const int32_t* col,
                             const int32_t* perm, const T* x, const T* e, const T* p, T eps, T* out,
                             T* stats) {
  PowerAggr<T> a{};
  a.N = N;
  a.F = F;
  a.rowptr = rowptr;
  a.col = col;
  a.perm = perm;
  a.x = x;
  a.e = e;
  a.p = p[0];
  a.eps = eps;
  a.out = out;
  a.stats = stats;
  over_rows<T>(a, N, (N + static_cast<int64_t>(rowptr[N])) * F, forward_pass);
}

template <typename T>
void power_aggregate_backward(int64_t N, int64_t S, int64_t F, const int32_t* t_rowptr,
                              const int32_t* t_col, const int32_t* t_perm, const T* x, const T* e,
                              const T* p, T eps, const T* out, const T* stats, const T* grad, T* dx,
                              T* de, T* dp, T* scratch) {
  PowerAggr<T> a{};
  a.N = N;
  a.F = F;
  a.S = S;
  a.rowptr = t_rowptr;
  a.col = t_col;
  a.perm = t_perm;
  a.x = x;
  a.e = e;
  a.p = p[0];
  a.eps = eps;
  a.fwd_out = out;
  a.fwd_stats = stats;
  a.grad = grad;
  a.dx = dx;
  a.de = de;
  a.partial = scratch;
  over_rows<T>(a, S, (S + static_cast<int64_t>(t_rowptr[S])) * F, backward_pass);
  over_rows<T>(a, N, N * F, node_pass);
  sum<T>((S + N) * F, scratch, dp);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_power_aggr 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
