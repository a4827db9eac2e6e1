// The neighbour sampler (graph/neighbor_sampler.h) on hand-counted graphs: hop order, local ids,
// draw counts, independence from the thread count, and the errors for a bad CSR, fanouts and
// seeds; and the bipartite CSR a sampled block is built from.
#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "graph/csr.h"
#include "graph/neighbor_sampler.h"

namespace {

using fathom::ErrorKind;
using fathom::NeighborSampler;
using fathom::SampledHops;

// Edges j -> i: 1->0, 2->0, 3->1, 0->1, 4->3, 2->4 as CSR by target.
const std::vector<int32_t> kRowptr = {0, 2, 4, 4, 5, 6};
const std::vector<int32_t> kCol = {1, 2, 3, 0, 4, 2};

TEST(neighbor_sampler_hand_counted_hops) {
  NeighborSampler s(kRowptr, kCol, {-1, -1}, false, "NeighborSampler");
  const int32_t seeds[] = {0};
  SampledHops h = s.sample(seeds, 1, 0, 0, 1);
  CHECK(h.nodes == std::vector<int32_t>({0, 1, 2, 3}));
  CHECK(h.hop_sizes == std::vector<int64_t>({1, 2, 1}));
  CHECK(h.src[0] == std::vector<int32_t>({1, 2}));
  CHECK(h.dst[0] == std::vector<int32_t>({0, 0}));
  // Node 1 reaches 3 (new) and 0 (seen, local 0); node 2 has no in-neighbour.
  CHECK(h.src[1] == std::vector<int32_t>({3, 0}));
  CHECK(h.dst[1] == std::vector<int32_t>({1, 1}));
}

TEST(neighbor_sampler_counts_and_thread_independence) {
  // A ring with chords: node i has in-neighbours i+1 .. i+9 (mod n).
  const int32_t n = 500;
  std::vector<int32_t> rowptr(1, 0), col;
  for (int32_t i = 0; i < n; ++i) {
    for (int32_t k = 1; k <= 9; ++k) col.push_back((i + k) % n);
    rowptr.push_back(static_cast<int32_t>(col.size()));
  }
  std::vector<int32_t> seeds;
  for (int32_t i = 0; i < 200; ++i) seeds.push_back((i * 7) % n);
  for (bool replace : {false, true}) {
    NeighborSampler s(rowptr, col, {4, 3}, replace, "NeighborSampler");
    SampledHops one = s.sample(seeds.data(), 200, 11, 2, 1);
    SampledHops four = s.sample(seeds.data(), 200, 11, 2, 4);
    CHECK(one.nodes == four.nodes);
    CHECK(one.src == four.src);
    CHECK(one.dst == four.dst);
    CHECK_EQ(static_cast<int64_t>(one.src[0].size()), 200 * 4);
    if (!replace) {
      // Distinct draws, in adjacency order (local ids of a row's sources need not be sorted, but
      // the global neighbours are i+1 .. i+9 ascending mod n, so check distinctness per target).
      for (int32_t t = 0; t < 200; ++t) {
        std::set<int32_t> got;
        for (size_t e = 0; e < one.src[0].size(); ++e)
          if (one.dst[0][e] == t) got.insert(one.nodes[static_cast<size_t>(one.src[0][e])]);
        CHECK_EQ(static_cast<int64_t>(got.size()), 4);
      }
    }
  }
}

TEST(neighbor_sampler_rejects_bad_csr_fanouts_and_seeds) {
  CHECK_FAILS(NeighborSampler({0, 2, 1}, {1, 0}, {1}, false, "NeighborSampler"), ErrorKind::Range,
              "NeighborSampler", "rowptr[2] = 1", "must not decrease");
  CHECK_FAILS(NeighborSampler({0, 1, 2}, {1}, {1}, false, "NeighborSampler"), ErrorKind::Range,
              "length of col, 1");
  CHECK_FAILS(NeighborSampler({0, 1, 2}, {1, 2}, {1}, false, "NeighborSampler"), ErrorKind::Range,
              "col[1] = 2");
  CHECK_FAILS(NeighborSampler({0, 1, 2}, {1, 0}, {}, false, "NeighborSampler"), ErrorKind::Range,
              "fanouts is empty");
  CHECK_FAILS(NeighborSampler({0, 1, 2}, {1, 0}, {2, -2}, false, "NeighborSampler"),
              ErrorKind::Range, "fanouts[1] = -2");
  NeighborSampler s(kRowptr, kCol, {2}, false, "NeighborSampler");
  const int32_t out_of_range[] = {0, 5};
  CHECK_FAILS(s.check_seeds(out_of_range, 2, "NeighborSampler.sample"), ErrorKind::Range,
              "seeds[1] = 5", "out of range for 5 nodes");
  const int32_t repeated[] = {3, 1, 3};
  CHECK_FAILS(s.check_seeds(repeated, 3, "NeighborSampler.sample"), ErrorKind::Range,
              "seeds[2] = 3 repeats seeds[0]");
}

TEST(csr_from_bipartite_is_rectangular_and_checked) {
  const std::vector<int32_t> flat = {2, 1, 2, 0, 0, 1};  // sources 2, 1, 2 -> targets 0, 0, 1
  fathom::Tensor ei = fathom::Tensor::from_host(flat.data(), {2, 3}, fathom::DType::I32);
  fathom::Csr c = fathom::csr_from_bipartite(ei, 3, 2, "Block");
  CHECK_EQ(c.rows, 2);
  CHECK_EQ(c.cols, 3);
  CHECK_EQ(c.nnz(), 3);
  CHECK_FAILS(fathom::csr_from_bipartite(ei, 2, 2, "Block"), ErrorKind::Range,
              "edgeIndex[0, 0] = 2", "numSources = 2");
  CHECK_FAILS(fathom::csr_from_bipartite(ei, 3, 1, "Block"), ErrorKind::Range,
              "edgeIndex[1, 2] = 1", "numTargets = 1");
}

}  // namespace
