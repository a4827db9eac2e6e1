// Kernels of the sparse-input-feature path: dropout on CSR values and a 2-D transpose.
#include <algorithm>
#include <vector>

#include "../core/counter_rng.h"
#include "csr_partition.h"
#include "kernels.h"

namespace fathom::cpu {

template <typename T>
void csr_dropout(int64_t rows, const int32_t* rowptr, const int32_t* col, int64_t stride_r,
                 int64_t stride_c, double p, uint64_t seed, const T* vals, T* out) {
  // The scale of dense dropout (cpu/dropout.cc), so kept values are bit-identical to it.
  const T scale = p < 1.0 ? static_cast<T>(1.0 / (1.0 - p)) : T(0);
  const DropoutRule rule = dropout_rule(seed, p);
  const std::vector<int64_t> bounds = balance_csr_rows(rows, 1, rowptr);
  const int64_t chunks = static_cast<int64_t>(bounds.size()) - 1;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    for (int64_t r = bounds[c]; r < bounds[c + 1]; ++r) {
      const uint64_t base = static_cast<uint64_t>(r * stride_r);
      for (int32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
        const uint64_t i = base + static_cast<uint64_t>(static_cast<int64_t>(col[k]) * stride_c);
        out[k] = vals[k] * (static_cast<T>(dropout_keep(rule, i)) * scale);
      }
    }
  }
}

template <typename T>
void csr_dropout_dev(int64_t rows, const int32_t* rowptr, const int32_t* col, int64_t stride_r,
                     int64_t stride_c, double p, const double* seed_bits, const T* vals, T* out) {
  csr_dropout<T>(rows, rowptr, col, stride_r, stride_c, p, seed_from_bits(seed_bits), vals, out);
}

template <typename T>
void transpose(int64_t rows, int64_t cols, const T* x, T* out) {
  // 32 x 32 tiles: both the reads and the writes stay within a few cache lines per row.
  constexpr int64_t kTile = 32;
  const int64_t row_tiles = (rows + kTile - 1) / kTile;
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t bt = 0; bt < row_tiles; ++bt) {
    const int64_t r0 = bt * kTile, r1 = std::min(rows, r0 + kTile);
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = std::min(cols, c0 + kTile);
      for (int64_t r = r0; r < r1; ++r) {
        for (int64_t c = c0; c < c1; ++c) out[c * rows + r] = x[r * cols + c];
      }
    }
  }
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_sparse_features 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
