// Layer-wise neighbour sampling for mini-batch training (PyG's NeighborLoader): a batch of seed
// nodes grows hop by hop, each node of the newest hop drawing up to fanouts[hop] of its
// in-neighbours. Every node appears once, numbered in order of discovery (seeds first), so the
// nodes of hops <= k are a prefix of those of hops <= k + 1: targets come first among sources.
#pragma once
#include <cstdint>
#include <vector>

namespace fathom {

// What one batch samples. Local ids index `nodes`.
struct SampledHops {
  std::vector<int32_t> nodes;      // global ids: the seeds, then each hop's new nodes
  std::vector<int64_t> hop_sizes;  // new nodes per hop: hop_sizes[0] = number of seeds; L + 1
  // Per sampling step k (0 .. L-1): edges neighbour -> node of hop k, in local ids, grouped by
  // target in node order; within a target, in adjacency order (or draw order with replacement).
  std::vector<std::vector<int32_t>> src, dst;
};

// An adjacency in CSR by target (row i: the in-neighbours j of edges j -> i), validated once and
// then sampled from any thread: sample() is const and keeps no state between calls.
class NeighborSampler {
 public:
  // Copies and validates rowptr [N + 1] (starts at 0, non-decreasing, ends at col.size()), col
  // (every entry in [0, N)) and fanouts (at least one; each -1 = every neighbour, or >= 0).
  // Errors name `op` and the first bad position. With `replace`, a node draws exactly fanout
  // neighbours with repetition (when it has any); without, min(fanout, degree) distinct ones.
  NeighborSampler(std::vector<int32_t> rowptr, std::vector<int32_t> col,
                  std::vector<int64_t> fanouts, bool replace, const char* op);

  int64_t num_nodes() const { return static_cast<int64_t>(rowptr_.size()) - 1; }
  int64_t num_edges() const { return static_cast<int64_t>(col_.size()); }
  int64_t num_layers() const { return static_cast<int64_t>(fanouts_.size()); }

  // Checks seeds (each in [0, N), no repeats), naming `op` and the position.
  void check_seeds(const int32_t* seeds, int64_t n, const char* op) const;

  // Samples the hops of one batch. The draws of node v at hop k depend only on (seed, batch, k,
  // v), so the result is the same for every thread count (`threads` <= 0: OpenMP's default).
  SampledHops sample(const int32_t* seeds, int64_t n, uint64_t seed, uint64_t batch,
                     int threads) const;

 private:
  int64_t draw_count(int64_t degree, int64_t fanout) const;

  std::vector<int32_t> rowptr_, col_;
  std::vector<int64_t> fanouts_;
  bool replace_;
  int64_t max_degree_ = 0;
};

}  // namespace fathom
