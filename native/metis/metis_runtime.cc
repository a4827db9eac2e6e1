// METIS through dlopen. The prototypes are METIS 5's (metis.h), declared here for both widths of
// idx_t; options[] indices are metis.h's moptions_et, fixed since METIS 5.0.
#include "metis_runtime.h"

#include <dlfcn.h>

#include <cstdlib>
#include <limits>

#include "core/error.h"
#include "core/shared_library.h"

namespace fathom::metis {

namespace {

constexpr int kNumOptions = 40;       // METIS_NOPTIONS
constexpr int kOptionSeed = 8;        // METIS_OPTION_SEED
constexpr int kOptionUfactor = 16;    // METIS_OPTION_UFACTOR
constexpr int kOptionNumbering = 17;  // METIS_OPTION_NUMBERING
constexpr int kMetisOk = 1;           // METIS_OK

template <typename Idx>
using KwayFn = int (*)(Idx* nvtxs, Idx* ncon, Idx* xadj, Idx* adjncy, Idx* vwgt, Idx* vsize,
                       Idx* adjwgt, Idx* nparts, void* tpwgts, void* ubvec, Idx* options,
                       Idx* edgecut, Idx* part);

const char* metis_error(int rc) {
  switch (rc) {
    case -2:
      return "METIS_ERROR_INPUT (erroneous inputs or options)";
    case -3:
      return "METIS_ERROR_MEMORY (out of memory)";
    default:
      return "METIS_ERROR";
  }
}

}  // namespace

MetisRuntime& MetisRuntime::instance() {
  static MetisRuntime runtime;
  return runtime;
}

bool MetisRuntime::load() {
  std::call_once(once_, [this] { open(); });
  return loaded_;
}

void MetisRuntime::open() {
  // FATHOM_METIS_LIBRARY names the one library to use (a METIS built elsewhere).
  OpenedLibrary opened = open_first_library("FATHOM_METIS_LIBRARY",
                                            {"libmetis.so.5", "libmetis.so"}, RTLD_NOW | RTLD_LOCAL,
                                            "install METIS (Debian: apt-get install libmetis5)");
  lib_ = opened.handle;
  library_ = opened.name;
  reason_ = opened.reason;
  if (!lib_) return;
  set_default_options_ = reinterpret_cast<int (*)(void*)>(dlsym(lib_, "METIS_SetDefaultOptions"));
  part_graph_kway_ = dlsym(lib_, "METIS_PartGraphKway");
  if (!set_default_options_ || !part_graph_kway_) {
    reason_ = library_ + " lacks " +
              (set_default_options_ ? "METIS_PartGraphKway" : "METIS_SetDefaultOptions") +
              " (Fathom needs METIS 5)";
    library_.clear();
    return;
  }
  // idx_t's width: METIS_SetDefaultOptions writes -1 to its METIS_NOPTIONS idx_t entries, which
  // is the first half of a 64-bit-wide buffer with a 32-bit idx_t and all of it with a 64-bit one.
  std::vector<int32_t> probe(2 * kNumOptions, 0x5a5a5a5a);
  set_default_options_(probe.data());
  const bool first_half = probe[kNumOptions - 1] == -1;
  const bool second_half = probe[2 * kNumOptions - 1] == -1;
  if (first_half && !second_half) {
    idx_bits_ = 32;
  } else if (first_half && second_half) {
    idx_bits_ = 64;
  } else {
    reason_ = library_ + ": METIS_SetDefaultOptions did not set its options (not METIS 5?)";
    library_.clear();
    return;
  }
  reason_.clear();
  loaded_ = true;
}

template <typename Idx>
Partition MetisRuntime::call_kway(const UndirectedCsr& graph, int64_t num_parts, int64_t seed,
                                  int64_t ufactor, const char* op) {
  const int64_t n = graph.num_nodes;
  const int64_t nnz = static_cast<int64_t>(graph.adjncy.size());
  FATHOM_CHECK(nnz <= std::numeric_limits<Idx>::max(), ErrorKind::Range, op,
               "the symmetrized graph has " + std::to_string(nnz) +
                   " adjacency entries, more than this METIS build's " +
                   std::to_string(sizeof(Idx) * 8) + "-bit idx_t holds");
  std::vector<Idx> xadj(graph.xadj.begin(), graph.xadj.end());
  std::vector<Idx> adjncy(graph.adjncy.begin(), graph.adjncy.end());
  std::vector<Idx> part(static_cast<size_t>(n), 0);
  Idx options[kNumOptions];
  set_default_options_(options);
  options[kOptionSeed] = static_cast<Idx>(seed);
  options[kOptionUfactor] = static_cast<Idx>(ufactor);
  options[kOptionNumbering] = 0;
  Idx nvtxs = static_cast<Idx>(n), ncon = 1, nparts = static_cast<Idx>(num_parts), edgecut = 0;
  auto kway = reinterpret_cast<KwayFn<Idx>>(part_graph_kway_);
  const int rc = kway(&nvtxs, &ncon, xadj.data(), adjncy.data(), nullptr, nullptr, nullptr, &nparts,
                      nullptr, nullptr, options, &edgecut, part.data());
  FATHOM_CHECK(rc == kMetisOk, ErrorKind::Internal, op,
               std::string("METIS_PartGraphKway failed: ") + metis_error(rc));
  Partition out;
  out.part.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    FATHOM_CHECK(part[i] >= 0 && part[i] < nparts, ErrorKind::Internal, op,
                 "METIS_PartGraphKway put node " + std::to_string(i) + " in part " +
                     std::to_string(static_cast<int64_t>(part[i])) + " of " +
                     std::to_string(num_parts));
    out.part[i] = static_cast<int32_t>(part[i]);
  }
  out.edge_cut = static_cast<int64_t>(edgecut);
  return out;
}

Partition MetisRuntime::partition_kway(const UndirectedCsr& graph, int64_t num_parts, int64_t seed,
                                       int64_t ufactor, const char* op) {
  const int64_t n = graph.num_nodes;
  FATHOM_CHECK(n >= 1 && n <= std::numeric_limits<int32_t>::max(), ErrorKind::Range, op,
               "the graph must have between 1 and 2^31 - 1 nodes, got " + std::to_string(n));
  FATHOM_CHECK(num_parts >= 1 && num_parts <= n, ErrorKind::Range, op,
               "numParts must be an integer in [1, numNodes = " + std::to_string(n) + "], got " +
                   std::to_string(num_parts));
  FATHOM_CHECK(seed >= 0 && seed <= std::numeric_limits<int32_t>::max(), ErrorKind::Range, op,
               "seed must be an integer in [0, 2^31), got " + std::to_string(seed));
  FATHOM_CHECK(ufactor >= 1 && ufactor <= 1000, ErrorKind::Range, op,
               "ufactor must be an integer in [1, 1000], got " + std::to_string(ufactor));
  // One part is the whole graph (METIS 5.1 mishandles nparts = 1).
  if (num_parts == 1) return Partition{std::vector<int32_t>(static_cast<size_t>(n), 0), 0};
  FATHOM_CHECK(load(), ErrorKind::Internal, op, "METIS is not available: " + reason_);
  std::lock_guard<std::mutex> lock(call_mutex_);
  return idx_bits_ == 64 ? call_kway<int64_t>(graph, num_parts, seed, ufactor, op)
                         : call_kway<int32_t>(graph, num_parts, seed, ufactor, op);
}

}  // namespace fathom::metis
