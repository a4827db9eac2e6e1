// Edge softmax over CSR rows (docs/methods.md §2.3, softmax-SKP): one row (a target node's
// in-edges) per loop iteration, all heads of that row together, so rows never share an output
// entry.
#include <algorithm>
#include <cmath>
#include <vector>

#include "csr_partition.h"
#include "kernels.h"

namespace fathom::cpu {

template <typename T>
void edge_softmax(int64_t rows, int64_t H, const int32_t* rowptr, const T* logits, T* alpha) {
  const std::vector<int64_t> bounds = balance_csr_rows(rows, H, rowptr);
  const int64_t chunks = static_cast<int64_t>(bounds.size()) - 1;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    for (int64_t r = bounds[c]; r < bounds[c + 1]; ++r) {
      const int64_t begin = rowptr[r], end = rowptr[r + 1];
      for (int64_t h = 0; h < H; ++h) {
        // Subtracting the row maximum keeps every exp() in (0, 1]: no overflow for large logits.
        T m = -INFINITY;
        for (int64_t k = begin; k < end; ++k) m = std::max(m, logits[k * H + h]);
        T s = T(0);
        for (int64_t k = begin; k < end; ++k) {
          const T e = std::exp(logits[k * H + h] - m);
          alpha[k * H + h] = e;
          s += e;
        }
        const T inv = T(1) / s;
        for (int64_t k = begin; k < end; ++k) alpha[k * H + h] *= inv;
      }
    }
  }
}

template <typename T>
void edge_softmax_backward(int64_t rows, int64_t H, const int32_t* rowptr, const T* alpha,
                           const T* grad, T* dlogits) {
  const std::vector<int64_t> bounds = balance_csr_rows(rows, H, rowptr);
  const int64_t chunks = static_cast<int64_t>(bounds.size()) - 1;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    for (int64_t r = bounds[c]; r < bounds[c + 1]; ++r) {
      const int64_t begin = rowptr[r], end = rowptr[r + 1];
      for (int64_t h = 0; h < H; ++h) {
        T dot = T(0);
        for (int64_t k = begin; k < end; ++k) dot += alpha[k * H + h] * grad[k * H + h];
        for (int64_t k = begin; k < end; ++k) {
          dlogits[k * H + h] = alpha[k * H + h] * (grad[k * H + h] - dot);
        }
      }
    }
  }
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_edge_softmax 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
