// The softmax aggregation of GENConv on the CPU (core/kernel_list.inc). The forward walks each
// target row twice: the per-channel maximum of t·m first, then the exponentials, their sum and
// the weighted messages, so exp never sees a positive argument; messages are recomputed from x
// and e instead of stored (nothing of size E×F is kept besides e itself). The backward walks the
// transposed CSR, one source row per thread, recomputing every weight from the saved per-(i, f)
// maximum and denominator: dx and de are written by one thread each and the temperature's
// gradient is a sum of per-(j, f) partials in a fixed order, so the results do not depend on the
// thread count and need no atomics.
//
// The per-entry loops run over the F channels of a gathered row with no branches (the ReLU and
// its derivative are selects between values, the edge term a template parameter) and float's exp
// as a polynomial (fast_exp.h), so they vectorize; the row passes get an AVX2 clone picked at
// load time (simd_clones.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "fast_exp.h"
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
struct Aggr {
  int64_t N, F;
  const int32_t *rowptr, *col, *perm;  // forward: the CSR; backward: its transpose
  const T *x, *e;
  T temp, eps;
  // forward
  T *out, *stats;
  // backward
  const T *fwd_out, *fwd_stats, *grad;
  T *dx, *de, *partial;
};

// The edge-feature row of entry k, or null where there is none (no e, or an added self loop).
template <typename T>
FATHOM_INLINE const T* edge_row(const Aggr<T>& a, int32_t k) {
  if (a.e == nullptr || a.perm == nullptr || a.perm[k] < 0) return nullptr;
  return a.e + static_cast<int64_t>(a.perm[k]) * a.F;
}

// Forward, first walk: mx[f] = max(mx[f], t·m_f) for one entry.
template <typename T, bool kEdge>
FATHOM_INLINE void entry_max(int64_t F, T temp, T eps, const T* __restrict xr,
                             const T* __restrict er, T* __restrict mx) {
  for (int64_t f = 0; f < F; ++f) {
    const T v = temp * message(xr[f] + (kEdge ? er[f] : T(0)), eps);
    mx[f] = v > mx[f] ? v : mx[f];
  }
}

// Forward, second walk: one entry's weights into the denominators and the weighted sums.
template <typename T, bool kEdge>
FATHOM_INLINE void entry_sum(int64_t F, T temp, T eps, const T* __restrict xr,
                             const T* __restrict er, const T* __restrict mx, T* __restrict den,
                             T* __restrict o) {
  for (int64_t f = 0; f < F; ++f) {
    const T m = message(xr[f] + (kEdge ? er[f] : T(0)), eps);
    const T w = fast_exp(temp * m - mx[f]);
    den[f] += w;
    o[f] += w * m;
  }
}

template <typename T>
FATHOM_INLINE void forward_rows(const Aggr<T>& a, int64_t i0, int64_t i1) {
  const int64_t N = a.N, F = a.F;
  for (int64_t i = i0; i < i1; ++i) {
    T* o = a.out + i * F;
    T* mx = a.stats + i * F;
    T* den = a.stats + N * F + i * F;
    const int32_t begin = a.rowptr[i], end = a.rowptr[i + 1];
    const T start = begin < end ? -std::numeric_limits<T>::infinity() : T(0);
    for (int64_t f = 0; f < F; ++f) {
      o[f] = T(0);
      den[f] = T(0);
      mx[f] = start;
    }
    if (begin == end) continue;
    for (int32_t k = begin; k < end; ++k) {
      const T* xr = a.x + static_cast<int64_t>(a.col[k]) * F;
      const T* er = edge_row(a, k);
      if (er) {
        entry_max<T, true>(F, a.temp, a.eps, xr, er, mx);
      } else {
        entry_max<T, false>(F, a.temp, a.eps, xr, er, mx);
      }
    }
    for (int32_t k = begin; k < end; ++k) {
      const T* xr = a.x + static_cast<int64_t>(a.col[k]) * F;
      const T* er = edge_row(a, k);
      if (er) {
        entry_sum<T, true>(F, a.temp, a.eps, xr, er, mx, den, o);
      } else {
        entry_sum<T, false>(F, a.temp, a.eps, xr, er, mx, den, o);
      }
    }
    for (int64_t f = 0; f < F; ++f) o[f] /= den[f];
  }
}

// Backward, one transposed entry (source j → target i): with a = exp(t·m − M_i) / S_i and
// ga = g_i a, adds dm·[z > 0] to dx_j (and writes it to de's row), and ga·m·(m − out_i) to the
// partials of ∂L/∂t. [z > 0] is a 0/1 factor, not a branch: dz·1 = dz exactly.
template <typename T, bool kEdge>
FATHOM_INLINE void entry_grad(int64_t F, T temp, T eps, const T* __restrict xr,
                              const T* __restrict er, const T* __restrict gi,
                              const T* __restrict oi, const T* __restrict mx,
                              const T* __restrict den, T* __restrict g, T* __restrict der,
                              T* __restrict part) {
  for (int64_t f = 0; f < F; ++f) {
    const T z = xr[f] + (kEdge ? er[f] : T(0));
    const T m = message(z, eps);
    const T ga = gi[f] * (fast_exp(temp * m - mx[f]) / den[f]);
    const T diff = m - oi[f];
    const T on = z > T(0) ? T(1) : T(0);
    const T dz = ga * (T(1) + temp * diff) * on;
    g[f] += dz;
    if constexpr (kEdge) der[f] = dz;
    part[f] += ga * m * diff;
  }
}

template <typename T>
FATHOM_INLINE void backward_rows(const Aggr<T>& a, int64_t j0, int64_t j1) {
  const int64_t N = a.N, F = a.F;
  for (int64_t j = j0; j < j1; ++j) {
    const T* xr = a.x + j * F;
    T* g = a.dx + j * F;
    T* part = a.partial + j * F;
    for (int64_t f = 0; f < F; ++f) g[f] = part[f] = T(0);
    for (int32_t k = a.rowptr[j]; k < a.rowptr[j + 1]; ++k) {
      const int64_t at = static_cast<int64_t>(a.col[k]) * F;
      const T* mx = a.fwd_stats + at;
      const T* den = a.fwd_stats + N * F + at;
      const T* er = edge_row(a, k);
      if (er) {
        T* der = a.de + static_cast<int64_t>(a.perm[k]) * F;
        entry_grad<T, true>(F, a.temp, a.eps, xr, er, a.grad + at, a.fwd_out + at, mx, den, g, der,
                            part);
      } else {
        entry_grad<T, false>(F, a.temp, a.eps, xr, er, a.grad + at, a.fwd_out + at, mx, den, g,
                             nullptr, part);
      }
    }
  }
}

// One entry point per pass and dtype (target_clones wants plain functions).
FATHOM_CLONES void forward_f32(const Aggr<float>& a, int64_t r0, int64_t r1) {
  forward_rows(a, r0, r1);
}
FATHOM_CLONES void forward_f64(const Aggr<double>& a, int64_t r0, int64_t r1) {
  forward_rows(a, r0, r1);
}
FATHOM_CLONES void backward_f32(const Aggr<float>& a, int64_t r0, int64_t r1) {
  backward_rows(a, r0, r1);
}
FATHOM_CLONES void backward_f64(const Aggr<double>& a, int64_t r0, int64_t r1) {
  backward_rows(a, r0, r1);
}
inline void forward_pass(const Aggr<float>& a, int64_t r0, int64_t r1) { forward_f32(a, r0, r1); }
inline void forward_pass(const Aggr<double>& a, int64_t r0, int64_t r1) { forward_f64(a, r0, r1); }
inline void backward_pass(const Aggr<float>& a, int64_t r0, int64_t r1) { backward_f32(a, r0, r1); }
inline void backward_pass(const Aggr<double>& a, int64_t r0, int64_t r1) {
  backward_f64(a, r0, r1);
}

// pass(a, r0, r1) over rows [0, n) in blocks of 16 handed out dynamically (degrees vary widely).
template <typename T, typename Pass>
void over_rows(const Aggr<T>& a, int64_t n, Pass pass) {
  constexpr int64_t kRows = 16;
  const int64_t blocks = (n + kRows - 1) / kRows;
  const bool big = (n + static_cast<int64_t>(a.rowptr[n])) * a.F >= kParallelMin;
#pragma omp parallel for schedule(dynamic, 1) if (big)
  for (int64_t b = 0; b < blocks; ++b) pass(a, b * kRows, std::min(n, (b + 1) * kRows));
}

}  // namespace

template <typename T>
void softmax_aggregate_forward(int64_t N, int64_t F, const int32_t* rowptr, const int32_t* col,
                               const int32_t* perm, const T* x, const T* e, const T* t, T eps,
                               T* out, T* stats) {
  Aggr<T> a{};
  a.N = N;
  a.F = F;
  a.rowptr = rowptr;
  a.col = col;
  a.perm = perm;
  a.x = x;
  a.e = e;
  a.temp = t[0];
  a.eps = eps;
  a.out = out;
  a.stats = stats;
  over_rows(a, N, [](const Aggr<T>& aa, int64_t r0, int64_t r1) { forward_pass(aa, r0, r1); });
}

template <typename T>
void softmax_aggregate_backward(int64_t N, int64_t S, int64_t F, const int32_t* t_rowptr,
                                const int32_t* t_col, const int32_t* t_perm, const T* x, const T* e,
                                const T* t, T eps, const T* out, const T* stats, const T* grad,
                                T* dx, T* de, T* dt, T* scratch) {
  Aggr<T> a{};
  a.N = N;
  a.F = F;
  a.rowptr = t_rowptr;
  a.col = t_col;
  a.perm = t_perm;
  a.x = x;
  a.e = e;
  a.temp = t[0];
  a.eps = eps;
  a.fwd_out = out;
  a.fwd_stats = stats;
  a.grad = grad;
  a.dx = dx;
  a.de = de;
  a.partial = scratch;
  over_rows(a, S, [](const Aggr<T>& aa, int64_t r0, int64_t r1) { backward_pass(aa, r0, r1); });
  sum<T>(S * F, scratch, dt);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_aggr 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
