// Sampled dense-dense products: one dot product per stored CSR entry (edge scores, and the
// gradient of SpMM with respect to edge values). Entries of a row are written by one thread.
#include <vector>

#include "csr_partition.h"
#include "kernels.h"

namespace fathom::cpu {
namespace {

// Eight independent partial sums, combined in a fixed order: the compiler may vectorise this
// (a plain running sum it may not reorder), and the result still depends on F alone.
template <typename T>
T dot(int64_t F, const T* __restrict a, const T* __restrict b) {
  T lane[8] = {};
  int64_t f = 0;
  for (; f + 8 <= F; f += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += a[f + l] * b[f + l];
  }
  for (; f < F; ++f) lane[0] += a[f] * b[f];
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

}  // namespace

template <typename T>
void sddmm(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col, const T* A,
           const T* B, T* out) {
  const std::vector<int64_t> bounds = balance_csr_rows(rows, F, rowptr);
  const int64_t chunks = static_cast<int64_t>(bounds.size()) - 1;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    for (int64_t r = bounds[c]; r < bounds[c + 1]; ++r) {
      const T* a = A + r * F;
      for (int32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
        out[k] = dot(F, a, B + static_cast<int64_t>(col[k]) * F);
      }
    }
  }
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_sddmm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
