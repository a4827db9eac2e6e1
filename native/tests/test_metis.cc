// The graph METIS partitions (metis/undirected_csr.h), checked on hand-written graphs: both
// directions of every edge once, self loops dropped, bad CSRs refused. When libmetis loads, a
// k-way partition of two cliques joined by one edge must cut only that edge.
#include <cstdint>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "metis/metis_runtime.h"
#include "metis/undirected_csr.h"

namespace {

using fathom::ErrorKind;
using fathom::metis::MetisRuntime;
using fathom::metis::undirected_csr;

TEST(metis_undirected_csr_merges_reverse_and_repeated_edges_and_drops_self_loops) {
  // 4 nodes; rows by target: 0 <- {1, 1, 0}, 1 <- {0}, 2 <- {3, 2}, 3 <- {} (node 3 only as a
  // source). Undirected: 0-1, 2-3; nothing else.
  const std::vector<int32_t> rowptr = {0, 3, 4, 6, 6};
  const std::vector<int32_t> col = {1, 1, 0, 0, 3, 2};
  const auto g = undirected_csr(rowptr, col, "metisPartition");
  CHECK_EQ(g.num_nodes, int64_t{4});
  CHECK(g.xadj == (std::vector<int64_t>{0, 1, 2, 3, 4}));
  CHECK(g.adjncy == (std::vector<int32_t>{1, 0, 3, 2}));
}

TEST(metis_undirected_csr_sorts_each_row_and_keeps_isolated_nodes) {
  // A directed triangle 0 -> 1 -> 2 -> 0 and node 3 alone: every node of the triangle has the
  // other two as neighbours, in ascending order.
  const std::vector<int32_t> rowptr = {0, 1, 2, 3, 3};
  const std::vector<int32_t> col = {2, 0, 1};
  const auto g = undirected_csr(rowptr, col, "metisPartition");
  CHECK(g.xadj == (std::vector<int64_t>{0, 2, 4, 6, 6}));
  CHECK(g.adjncy == (std::vector<int32_t>{1, 2, 0, 2, 0, 1}));
}

TEST(metis_undirected_csr_refuses_a_malformed_csr) {
  CHECK_FAILS(undirected_csr({0, 1, 2}, {0, 5}, "metisPartition"), ErrorKind::Range,
              "metisPartition", "col[1] = 5");
  CHECK_FAILS(undirected_csr({0, 1, 3}, {0}, "metisPartition"), ErrorKind::Range, "metisPartition",
              "from 0 to col.length = 1, got 0 .. 3");
  CHECK_FAILS(undirected_csr({0, 2, 1, 2}, {0, 1}, "metisPartition"), ErrorKind::Range,
              "metisPartition", "must not decrease");
  CHECK_FAILS(undirected_csr({}, {}, "metisPartition"), ErrorKind::Range, "metisPartition",
              "numNodes + 1 offsets");
}

TEST(metis_cuts_only_the_bridge_between_two_cliques) {
  MetisRuntime& m = MetisRuntime::instance();
  if (!m.load()) return;  // METIS is optional; test/sampling covers the missing case
  // Two 6-cliques (nodes 0-5 and 6-11) joined by the edge 5 - 6.
  std::vector<int32_t> rowptr = {0}, col;
  for (int32_t i = 0; i < 12; ++i) {
    for (int32_t j = 0; j < 12; ++j)
      if (i != j && (i < 6) == (j < 6)) col.push_back(j);
    if (i == 5) col.push_back(6);
    rowptr.push_back(static_cast<int32_t>(col.size()));
  }
  const auto g = undirected_csr(rowptr, col, "metisPartition");
  const auto p = m.partition_kway(g, 2, 7, 30, "metisPartition");
  CHECK_EQ(p.edge_cut, int64_t{1});
  for (int32_t i = 1; i < 12; ++i) CHECK_EQ(p.part[i] == p.part[0], i < 6);
  CHECK_FAILS(m.partition_kway(g, 13, 0, 30, "metisPartition"), ErrorKind::Range, "numParts");
  CHECK_FAILS(m.partition_kway(g, 2, -1, 30, "metisPartition"), ErrorKind::Range, "seed");
}

}  // namespace
