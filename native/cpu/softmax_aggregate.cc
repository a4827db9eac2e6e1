// The softmax aggregation of GENConv on the CPU (core/kernel_list.inc). The forward walks each
// target row twice: the per-channel maximum of t·m first, then the exponentials, their sum and
// the weighted messages, so exp never sees a positive argument; messages are recomputed from x
// and e instead of stored (nothing of size E×F is kept besides e itself). The backward walks the
// transposed CSR, one source row per thread, recomputing every weight from the saved per-(i, f)
// maximum and denominator: dx and de are written by one thread each and the temperature's
// gradient is a sum of per-(j, f) partials in a fixed order, so the results do not depend on the
// thread count and need no atomics.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {
namespace {

// m = ReLU(z) + eps.
template <typename T>
inline T message(T z, T eps) {
  return (z > T(0) ? z : T(0)) + eps;
}

// The edge-feature row of an entry with edge id p, or null where there is none.
template <typename T>
inline const T* edge_row(const T* e, int32_t p, int64_t F) {
  return e != nullptr && p >= 0 ? e + static_cast<int64_t>(p) * F : nullptr;
}

// body(r0, r1) over rows [0, n) in blocks of 16 handed out dynamically (degrees vary widely).
template <typename Body>
void over_rows(int64_t n, bool big, Body body) {
  constexpr int64_t kRows = 16;
  const int64_t blocks = (n + kRows - 1) / kRows;
#pragma omp parallel for schedule(dynamic, 1) if (big)
  for (int64_t b = 0; b < blocks; ++b) body(b * kRows, std::min(n, (b + 1) * kRows));
}

}  // namespace

template <typename T>
void softmax_aggregate_forward(int64_t N, int64_t F, const int32_t* rowptr, const int32_t* col,
                               const int32_t* perm, const T* x, const T* e, const T* t, T eps,
                               T* out, T* stats) {
  const T temp = t[0];
  const bool big = (N + static_cast<int64_t>(rowptr[N])) * F >= kParallelMin;
  over_rows(N, big, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      T* o = out + i * F;
      T* mx = stats + i * F;
      T* den = stats + N * F + i * F;
      const int32_t begin = rowptr[i], end = rowptr[i + 1];
      for (int64_t f = 0; f < F; ++f) {
        o[f] = T(0);
        den[f] = T(0);
        mx[f] = begin < end ? -std::numeric_limits<T>::infinity() : T(0);
      }
      if (begin == end) continue;
      for (int32_t k = begin; k < end; ++k) {
        const T* xr = x + static_cast<int64_t>(col[k]) * F;
        const T* er = edge_row(e, perm ? perm[k] : -1, F);
        for (int64_t f = 0; f < F; ++f) {
          const T v = temp * message(xr[f] + (er ? er[f] : T(0)), eps);
          mx[f] = v > mx[f] ? v : mx[f];
        }
      }
      for (int32_t k = begin; k < end; ++k) {
        const T* xr = x + static_cast<int64_t>(col[k]) * F;
        const T* er = edge_row(e, perm ? perm[k] : -1, F);
        for (int64_t f = 0; f < F; ++f) {
          const T m = message(xr[f] + (er ? er[f] : T(0)), eps);
          const T w = std::exp(temp * m - mx[f]);
          den[f] += w;
          o[f] += w * m;
        }
      }
      for (int64_t f = 0; f < F; ++f) o[f] /= den[f];
    }
  });
}

template <typename T>
void softmax_aggregate_backward(int64_t N, int64_t S, int64_t F, const int32_t* t_rowptr,
                                const int32_t* t_col, const int32_t* t_perm, const T* x, const T* e,
                                const T* t, T eps, const T* out, const T* stats, const T* grad,
                                T* dx, T* de, T* dt, T* scratch) {
  const T temp = t[0];
  const bool big = (S + static_cast<int64_t>(t_rowptr[S])) * F >= kParallelMin;
  over_rows(S, big, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; ++j) {
      const T* xr = x + j * F;
      T* g = dx + j * F;
      T* part = scratch + j * F;
      for (int64_t f = 0; f < F; ++f) g[f] = part[f] = T(0);
      for (int32_t k = t_rowptr[j]; k < t_rowptr[j + 1]; ++k) {
        const int64_t i = t_col[k];
        const int32_t p = t_perm ? t_perm[k] : -1;
        const T* er = edge_row(e, p, F);
        T* der = er ? de + static_cast<int64_t>(p) * F : nullptr;
        const T* gi = grad + i * F;
        const T* oi = out + i * F;
        const T* mx = stats + i * F;
        const T* den = stats + N * F + i * F;
        for (int64_t f = 0; f < F; ++f) {
          const T z = xr[f] + (er ? er[f] : T(0));
          const T m = message(z, eps);
          const T ga = gi[f] * (std::exp(temp * m - mx[f]) / den[f]);
          const T diff = m - oi[f];
          const T dz = z > T(0) ? ga * (T(1) + temp * diff) : T(0);
          g[f] += dz;
          if (der) der[f] = dz;
          part[f] += ga * m * diff;
        }
      }
    }
  });
  sum<T>(S * F, scratch, dt);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_aggr 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
