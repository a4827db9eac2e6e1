// Splits CSR rows into contiguous chunks of roughly equal work, where a row's work is its nonzero
// count plus one (so long runs of empty rows still cost something). Power-law graphs put most
// edges on a few rows; splitting by row count alone would leave one thread with most of them.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "parallel.h"

namespace fathom::cpu {

// Returns chunk boundaries b[0] = 0 < ... < b[n] = rows. Rows are independent in every CSR kernel,
// so the split changes scheduling only, never results.
inline std::vector<int64_t> balance_csr_rows(int64_t rows, int64_t F, const int32_t* rowptr) {
  const int64_t nnz = rowptr[rows];
  const int64_t work = (nnz + rows) * std::max<int64_t>(F, 1);
  int64_t chunks = 1;
  if (work >= kParallelMin && rows > 1) {
    chunks = std::min<int64_t>(rows, static_cast<int64_t>(max_threads()) * 8);
  }
  std::vector<int64_t> bounds;
  bounds.reserve(static_cast<size_t>(chunks) + 1);
  bounds.push_back(0);
  const int64_t total = nnz + rows;
  for (int64_t c = 1; c < chunks; ++c) {
    // First row r whose cumulative work rowptr[r] + r reaches the c-th share.
    const int64_t target = total * c / chunks;
    int64_t lo = bounds.back(), hi = rows;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (static_cast<int64_t>(rowptr[mid]) + mid < target) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo > bounds.back() && lo < rows) bounds.push_back(lo);
  }
  bounds.push_back(rows);
  return bounds;
}

}  // namespace fathom::cpu
