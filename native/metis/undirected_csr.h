// The undirected simple graph METIS partitions, made from a directed CSR: every edge j -> i with
// i != j becomes the pair i - j, stored in both rows once (repeated and reverse edges merge, self
// loops drop). METIS requires exactly this: a symmetric adjacency without self loops or repeats.
#pragma once
#include <cstdint>
#include <vector>

namespace fathom::metis {

struct UndirectedCsr {
  int64_t num_nodes = 0;
  std::vector<int64_t> xadj;    // num_nodes + 1 offsets into adjncy
  std::vector<int32_t> adjncy;  // each row's neighbours in ascending order
};

// From a CSR of n = rowptr.size() - 1 rows (row i: the sources j of the edges j -> i, or any
// orientation: the result is the same). Checks the CSR (offsets from 0 to col.size(), non-
// decreasing; columns in [0, n)) and fails ErrorKind::Range naming `op` otherwise.
UndirectedCsr undirected_csr(const std::vector<int32_t>& rowptr, const std::vector<int32_t>& col,
                             const char* op);

}  // namespace fathom::metis
