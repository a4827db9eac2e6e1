// The power-mean aggregation of GENConv on the CPU (core/kernel_list.inc). The forward walks each
// target row twice: the per-channel extreme message M first (the largest for p > 0, the smallest
// for p < 0), then the sum of (m/M)^p ≤ 1, so no power overflows or underflows to 0. The backward
// walks the transposed CSR, one source row per thread, recomputing every message from x and e and
// reading the saved M and sum: dx and de are written by one thread each and the power's gradient
// is a sum of per-(j, f) and per-(i, f) partials in a fixed order, so the results do not depend on
// the thread count and need no atomics.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {
namespace {

// m = ReLU(z) + eps.
template <typename T>
inline T message(T z, T eps) {
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

template <typename T>
void forward_rows(const PowerAggr<T>& a, int64_t i0, int64_t i1) {
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
      for (int64_t f = 0; f < F; ++f) {
        const T m = message(xr[f] + (er ? er[f] : T(0)), a.eps);
        mx[f] = k == begin || (up ? m > mx[f] : m < mx[f]) ? m : mx[f];
      }
    }
    for (int32_t k = begin; k < end; ++k) {
      const T* xr = a.x + static_cast<int64_t>(a.col[k]) * F;
      const T* er = edge_row(a, k);
      for (int64_t f = 0; f < F; ++f) {
        const T m = message(xr[f] + (er ? er[f] : T(0)), a.eps);
        total[f] += std::exp(a.p * std::log(m / mx[f]));
      }
    }
    const T deg = static_cast<T>(end - begin);
    for (int64_t f = 0; f < F; ++f) o[f] = mx[f] * std::exp(std::log(total[f] / deg) / a.p);
  }
}

// Backward, the edge terms: one transposed row (source j) per call.
template <typename T>
void backward_rows(const PowerAggr<T>& a, int64_t j0, int64_t j1) {
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
      T* der = er ? a.de + static_cast<int64_t>(a.perm[k]) * F : nullptr;
      for (int64_t f = 0; f < F; ++f) {
        const T z = xr[f] + (er ? er[f] : T(0));
        const T m = message(z, a.eps);
        const T r = std::exp(a.p * std::log(m / mx[f]));
        const T scaled = gi[f] * oi[f] * r / total[f];
        const T dz = scaled / m * (z > T(0) ? T(1) : T(0));
        g[f] += dz;
        if (der) der[f] = dz;
        part[f] += scaled * std::log(m) / a.p;
      }
    }
  }
}

// Backward, the node terms −g out ln(out) / p, one target row per call (partials after the S·F
// edge partials; empty rows, S = 0, add nothing).
template <typename T>
void node_rows(const PowerAggr<T>& a, int64_t i0, int64_t i1) {
  const int64_t N = a.N, F = a.F;
  for (int64_t i = i0; i < i1; ++i) {
    const T* total = a.fwd_stats + N * F + i * F;
    const T* o = a.fwd_out + i * F;
    const T* g = a.grad + i * F;
    T* part = a.partial + a.S * F + i * F;
    for (int64_t f = 0; f < F; ++f) {
      part[f] = total[f] > T(0) ? -g[f] * o[f] * std::log(o[f]) / a.p : T(0);
    }
  }
}

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
  over_rows<T>(a, N, (N + static_cast<int64_t>(rowptr[N])) * F, forward_rows<T>);
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
  over_rows<T>(a, S, (S + static_cast<int64_t>(t_rowptr[S])) * F, backward_rows<T>);
  over_rows<T>(a, N, N * F, node_rows<T>);
  sum<T>((S + N) * F, scratch, dp);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_power_aggr 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
