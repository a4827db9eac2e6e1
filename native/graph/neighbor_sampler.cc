// Neighbour sampling on the host. The draws of a node are a counter-based stream keyed by
// (seed, batch, hop, node), so threads only split the work: each node's draws land in a slot
// sized in advance, and the new nodes are numbered in one sequential pass in node order.
#include "neighbor_sampler.h"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>

#include "../core/counter_rng.h"
#include "../core/error.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace fathom {

namespace {

constexpr int64_t kMaxI32 = std::numeric_limits<int32_t>::max();
// Below this many nodes in a hop a parallel region costs more than the draws it splits.
constexpr int64_t kSampleParallelMin = 64;

uint64_t stream_key(uint64_t seed, uint64_t batch, uint64_t hop, uint64_t node) {
  return mix64(mix64(mix64(mix64(seed) + batch) + hop) + node);
}

// Uniform integer in [0, n) from draw i of a stream (bias below n / 2^53).
int64_t draw_below(uint64_t key, uint64_t i, int64_t n) {
  const int64_t r = static_cast<int64_t>(counter_uniform(key, i) * static_cast<double>(n));
  return r < n ? r : n - 1;
}

}  // namespace

NeighborSampler::NeighborSampler(std::vector<int32_t> rowptr, std::vector<int32_t> col,
                                 std::vector<int64_t> fanouts, bool replace, const char* op)
    : rowptr_(std::move(rowptr)),
      col_(std::move(col)),
      fanouts_(std::move(fanouts)),
      replace_(replace) {
  FATHOM_CHECK(!rowptr_.empty(), ErrorKind::Shape, op,
               "argument rowptr is empty; a CSR of N nodes has N + 1 row offsets");
  FATHOM_CHECK(rowptr_[0] == 0, ErrorKind::Range, op,
               "rowptr[0] = " + std::to_string(rowptr_[0]) + " must be 0");
  const int64_t n = num_nodes();
  for (int64_t r = 0; r < n; ++r) {
    const int32_t a = rowptr_[static_cast<size_t>(r)], b = rowptr_[static_cast<size_t>(r) + 1];
    FATHOM_CHECK(b >= a, ErrorKind::Range, op,
                 "rowptr[" + std::to_string(r + 1) + "] = " + std::to_string(b) +
                     " is below rowptr[" + std::to_string(r) + "] = " + std::to_string(a) +
                     "; row offsets must not decrease");
    max_degree_ = std::max<int64_t>(max_degree_, b - a);
  }
  FATHOM_CHECK(rowptr_.back() == num_edges(), ErrorKind::Range, op,
               "rowptr[" + std::to_string(n) + "] = " + std::to_string(rowptr_.back()) +
                   " must equal the length of col, " + std::to_string(num_edges()));
  for (size_t e = 0; e < col_.size(); ++e) {
    FATHOM_CHECK(col_[e] >= 0 && col_[e] < n, ErrorKind::Range, op,
                 "col[" + std::to_string(e) + "] = " + std::to_string(col_[e]) +
                     " is out of range for " + std::to_string(n) + " nodes");
  }
  FATHOM_CHECK(!fanouts_.empty(), ErrorKind::Range, op,
               "argument fanouts is empty; give one count per layer (-1 = every neighbour)");
  for (size_t k = 0; k < fanouts_.size(); ++k) {
    FATHOM_CHECK(fanouts_[k] >= -1 && fanouts_[k] <= kMaxI32, ErrorKind::Range, op,
                 "fanouts[" + std::to_string(k) + "] = " + std::to_string(fanouts_[k]) +
                     " must be -1 (every neighbour) or an integer in [0, 2^31)");
  }
}

void NeighborSampler::check_seeds(const int32_t* seeds, int64_t n, const char* op) const {
  const int64_t N = num_nodes();
  std::unordered_map<int32_t, int64_t> first;
  first.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    FATHOM_CHECK(seeds[i] >= 0 && seeds[i] < N, ErrorKind::Range, op,
                 "seeds[" + std::to_string(i) + "] = " + std::to_string(seeds[i]) +
                     " is out of range for " + std::to_string(N) + " nodes");
    auto [it, fresh] = first.emplace(seeds[i], i);
    FATHOM_CHECK(fresh, ErrorKind::Range, op,
                 "seeds[" + std::to_string(i) + "] = " + std::to_string(seeds[i]) +
                     " repeats seeds[" + std::to_string(it->second) +
                     "]; the seed nodes of a batch must be distinct");
  }
}

int64_t NeighborSampler::draw_count(int64_t degree, int64_t fanout) const {
  if (degree == 0) return 0;
  if (fanout < 0) return degree;
  return replace_ ? fanout : std::min(fanout, degree);
}

SampledHops NeighborSampler::sample(const int32_t* seeds, int64_t n, uint64_t seed, uint64_t batch,
                                    int threads) const {
  const char* op = "NeighborSampler.sample";
  SampledHops out;
  std::unordered_map<int32_t, int32_t> local;
  local.reserve(static_cast<size_t>(n) * 4);
  out.nodes.assign(seeds, seeds + n);
  for (int64_t i = 0; i < n; ++i) local.emplace(seeds[i], static_cast<int32_t>(i));
  out.hop_sizes.push_back(n);
#ifdef _OPENMP
  if (threads <= 0) threads = omp_get_max_threads();
#else
  (void)threads;
#endif

  int64_t begin = 0;  // the newest hop: nodes [begin, end)
  for (int64_t k = 0; k < num_layers(); ++k) {
    const int64_t end = static_cast<int64_t>(out.nodes.size());
    const int64_t fanout = fanouts_[static_cast<size_t>(k)];
    const int64_t m = end - begin;
    std::vector<int64_t> offset(static_cast<size_t>(m) + 1, 0);
    for (int64_t i = 0; i < m; ++i) {
      const int32_t v = out.nodes[static_cast<size_t>(begin + i)];
      const int64_t deg = rowptr_[static_cast<size_t>(v) + 1] - rowptr_[static_cast<size_t>(v)];
      offset[static_cast<size_t>(i) + 1] = offset[static_cast<size_t>(i)] + draw_count(deg, fanout);
    }
    const int64_t total = offset.back();
    FATHOM_CHECK(total <= kMaxI32, ErrorKind::Range, op,
                 "hop " + std::to_string(k + 1) + " samples " + std::to_string(total) +
                     " edges; at most 2^31 - 1 fit a batch (lower the batch size or fanouts)");
    std::vector<int32_t> picked(static_cast<size_t>(total));

#pragma omp parallel num_threads(threads) if (m >= kSampleParallelMin)
    {
      // Floyd's algorithm marks chosen positions here; cleared after each node.
      std::vector<uint8_t> mark;
      std::vector<int64_t> chosen;
#pragma omp for schedule(static)
      for (int64_t i = 0; i < m; ++i) {
        const int32_t v = out.nodes[static_cast<size_t>(begin + i)];
        const int64_t row = rowptr_[static_cast<size_t>(v)];
        const int64_t deg = rowptr_[static_cast<size_t>(v) + 1] - row;
        const int64_t cnt = offset[static_cast<size_t>(i) + 1] - offset[static_cast<size_t>(i)];
        int32_t* dst = picked.data() + offset[static_cast<size_t>(i)];
        const uint64_t key =
            stream_key(seed, batch, static_cast<uint64_t>(k), static_cast<uint64_t>(v));
        if (cnt == 0) continue;
        if (fanout < 0 || (!replace_ && cnt == deg)) {
          std::copy(col_.begin() + row, col_.begin() + row + deg, dst);
        } else if (replace_) {
          for (int64_t d = 0; d < cnt; ++d)
            dst[d] =
                col_[static_cast<size_t>(row + draw_below(key, static_cast<uint64_t>(d), deg))];
        } else {
          // Floyd: for j = deg - cnt .. deg - 1 draw t in [0, j]; take t, or j when t is taken.
          if (mark.size() < static_cast<size_t>(deg))
            mark.assign(static_cast<size_t>(max_degree_), 0);
          chosen.clear();
          for (int64_t j = deg - cnt; j < deg; ++j) {
            const int64_t t = draw_below(key, static_cast<uint64_t>(j - (deg - cnt)), j + 1);
            const int64_t c = mark[static_cast<size_t>(t)] ? j : t;
            mark[static_cast<size_t>(c)] = 1;
            chosen.push_back(c);
          }
          std::sort(chosen.begin(), chosen.end());  // adjacency order
          for (int64_t d = 0; d < cnt; ++d) {
            mark[static_cast<size_t>(chosen[static_cast<size_t>(d)])] = 0;
            dst[d] = col_[static_cast<size_t>(row + chosen[static_cast<size_t>(d)])];
          }
        }
      }
    }

    std::vector<int32_t>& src = out.src.emplace_back(static_cast<size_t>(total));
    std::vector<int32_t>& tgt = out.dst.emplace_back(static_cast<size_t>(total));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t e = offset[static_cast<size_t>(i)]; e < offset[static_cast<size_t>(i) + 1];
           ++e) {
        const int32_t u = picked[static_cast<size_t>(e)];
        auto [it, fresh] = local.emplace(u, static_cast<int32_t>(out.nodes.size()));
        if (fresh) {
          FATHOM_CHECK(static_cast<int64_t>(out.nodes.size()) < kMaxI32, ErrorKind::Range, op,
                       "the batch reaches more than 2^31 - 1 nodes");
          out.nodes.push_back(u);
        }
        src[static_cast<size_t>(e)] = it->second;
        tgt[static_cast<size_t>(e)] = static_cast<int32_t>(begin + i);
      }
    }
    out.hop_sizes.push_back(static_cast<int64_t>(out.nodes.size()) - end);
    begin = end;
  }
  return out;
}

}  // namespace fathom
