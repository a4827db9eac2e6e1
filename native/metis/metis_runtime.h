// METIS for graph partitioning, loaded at run time: the addon is built without METIS headers or
// libraries and works without METIS installed. load() opens libmetis (Debian's libmetis5) with
// dlopen and resolves METIS_SetDefaultOptions and METIS_PartGraphKway. The width of METIS's
// idx_t (32 or 64 bits, a build choice of the library) is found by probing
// METIS_SetDefaultOptions, so either build works; real_t is never passed (no target weights).
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "undirected_csr.h"

namespace fathom::metis {

// One k-way partition: part[i] in [0, num_parts) for every node, and METIS's edge cut (the
// undirected edges whose ends lie in different parts).
struct Partition {
  std::vector<int32_t> part;
  int64_t edge_cut = 0;
};

class MetisRuntime {
 public:
  // The process's runtime.
  static MetisRuntime& instance();

  // Opens libmetis once (FATHOM_METIS_LIBRARY if set, else libmetis.so.5, else libmetis.so).
  // True when both symbols resolved and idx_t's width was recognised; otherwise false, and
  // reason() says why. Safe to call from any thread.
  bool load();
  bool loaded() const { return loaded_; }
  // The library file that was opened (empty when none).
  const std::string& library() const { return library_; }
  const std::string& reason() const { return reason_; }
  // Bits of the library's idx_t (32 or 64; 0 when not loaded).
  int idx_bits() const { return idx_bits_; }

  // METIS_PartGraphKway of `graph` into `num_parts` parts (integer in [1, num_nodes]), with
  // METIS's random seed `seed` (in [0, 2^31)) and load imbalance `ufactor` (the largest part
  // holds at most (1 + ufactor / 1000) times the mean, in [1, 1000]). Deterministic for one
  // library build, graph, num_parts, seed and ufactor. Calls are serialized (METIS keeps its
  // random state in globals). Fails ErrorKind::Range for bad arguments, ErrorKind::Internal when
  // METIS is not loaded or reports an error.
  Partition partition_kway(const UndirectedCsr& graph, int64_t num_parts, int64_t seed,
                           int64_t ufactor, const char* op);

 private:
  MetisRuntime() = default;
  void open();
  template <typename Idx>
  Partition call_kway(const UndirectedCsr& graph, int64_t num_parts, int64_t seed, int64_t ufactor,
                      const char* op);

  std::once_flag once_;
  std::mutex call_mutex_;
  bool loaded_ = false;
  int idx_bits_ = 0;
  std::string library_, reason_;
  void* lib_ = nullptr;
  // Both take idx_t* arguments of idx_bits_ bits; declared over void* and cast at the call.
  int (*set_default_options_)(void*) = nullptr;
  void* part_graph_kway_ = nullptr;
};

}  // namespace fathom::metis
