#include "undirected_csr.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace fathom::metis {

UndirectedCsr undirected_csr(const std::vector<int32_t>& rowptr, const std::vector<int32_t>& col,
                             const char* op) {
  FATHOM_CHECK(!rowptr.empty(), ErrorKind::Range, op, "rowptr must hold numNodes + 1 offsets");
  const int64_t n = static_cast<int64_t>(rowptr.size()) - 1;
  const int64_t nnz = static_cast<int64_t>(col.size());
  FATHOM_CHECK(rowptr[0] == 0 && rowptr[n] == nnz, ErrorKind::Range, op,
               "rowptr must run from 0 to col.length = " + std::to_string(nnz) + ", got " +
                   std::to_string(rowptr[0]) + " .. " + std::to_string(rowptr[n]));
  for (int64_t i = 0; i < n; ++i)
    FATHOM_CHECK(rowptr[i] <= rowptr[i + 1], ErrorKind::Range, op,
                 "rowptr must not decrease, but rowptr[" + std::to_string(i) + "] > rowptr[" +
                     std::to_string(i + 1) + "]");
  for (int64_t k = 0; k < nnz; ++k)
    FATHOM_CHECK(col[k] >= 0 && col[k] < n, ErrorKind::Range, op,
                 "col[" + std::to_string(k) + "] = " + std::to_string(col[k]) +
                     " is not a node id in [0, " + std::to_string(n) + ")");

  // Both directions of every non-loop edge, then each row sorted and its repeats merged.
  std::vector<int64_t> start(static_cast<size_t>(n) + 1, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = rowptr[i]; k < rowptr[i + 1]; ++k)
      if (col[k] != i) {
        ++start[i + 1];
        ++start[col[k] + 1];
      }
  for (int64_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<int32_t> both(static_cast<size_t>(start[n]));
  std::vector<int64_t> at(start.begin(), start.end() - 1);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = rowptr[i]; k < rowptr[i + 1]; ++k)
      if (const int32_t j = col[k]; j != i) {
        both[at[i]++] = j;
        both[at[j]++] = static_cast<int32_t>(i);
      }

  UndirectedCsr g;
  g.num_nodes = n;
  g.xadj.assign(static_cast<size_t>(n) + 1, 0);
  g.adjncy.reserve(both.size());
  for (int64_t i = 0; i < n; ++i) {
    auto first = both.begin() + start[i], last = both.begin() + start[i + 1];
    std::sort(first, last);
    g.adjncy.insert(g.adjncy.end(), first, std::unique(first, last));
    g.xadj[i + 1] = static_cast<int64_t>(g.adjncy.size());
  }
  return g;
}

}  // namespace fathom::metis
