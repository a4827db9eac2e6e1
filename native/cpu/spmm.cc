// Sparse (CSR) x dense. Each output row is gathered from its neighbours' feature rows by a single
// thread, so there are no atomics and no cross-thread sums: bit-identical for any thread count.
#include <algorithm>
#include <vector>

#include "csr_partition.h"
#include "kernels.h"

namespace fathom::cpu {
namespace {

template <typename T>
void spmm_row(int64_t r, int64_t F, const int32_t* rowptr, const int32_t* col, const T* vals,
              const T* X, T* Y, T alpha, T self_scale) {
  T* __restrict y = Y + r * F;
  std::fill(y, y + F, T(0));
  for (int32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
    const T w = vals ? vals[k] : T(1);
    const T* __restrict x = X + static_cast<int64_t>(col[k]) * F;
    for (int64_t f = 0; f < F; ++f) y[f] += w * x[f];
  }
  // Skipping the self term when it is zero keeps a non-finite X[r] from turning into NaN (0*Inf),
  // and is what lets non-square operators pass self_scale = 0.
  if (self_scale != T(0)) {
    const T* __restrict x = X + r * F;
    for (int64_t f = 0; f < F; ++f) y[f] = alpha * y[f] + self_scale * x[f];
  } else if (alpha != T(1)) {
    for (int64_t f = 0; f < F; ++f) y[f] = alpha * y[f];
  }
}

}  // namespace

template <typename T>
void spmm(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col, const T* vals,
          const T* X, T* Y, T alpha, T self_scale) {
  const std::vector<int64_t> bounds = balance_csr_rows(rows, F, rowptr);
  const int64_t chunks = static_cast<int64_t>(bounds.size()) - 1;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    for (int64_t r = bounds[c]; r < bounds[c + 1]; ++r) {
      spmm_row(r, F, rowptr, col, vals, X, Y, alpha, self_scale);
    }
  }
}

template void spmm<float>(int64_t, int64_t, const int32_t*, const int32_t*, const float*,
                          const float*, float*, float, float);
template void spmm<double>(int64_t, int64_t, const int32_t*, const int32_t*, const double*,
                           const double*, double*, double, double);

}  // namespace fathom::cpu
