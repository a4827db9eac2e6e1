// Partitioned node features (a DistDGL-style feature store): every rank holds the rows of the
// nodes it owns, and a batch's rows are fetched from their owners with two all-to-all exchanges.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace fathom::dist {

// One rank's view of the store. `owner` and `local` are the partition book, the same on every
// rank: node v lives on rank owner[v] as row local[v] of that rank's shard.
struct FeatureShard {
  const int32_t* owner = nullptr;  // [num_nodes]
  const int32_t* local = nullptr;  // [num_nodes]
  int64_t num_nodes = 0;
  const void* rows = nullptr;  // [num_local, width] of dtype: this rank's rows
  int64_t num_local = 0;
  int64_t width = 0;
  DType dtype = DType::F32;
};

// Writes the rows of nodes ids[0..n) into out [n, width], in the order of `ids`, fetching each
// from its owner. A collective: every rank calls it the same number of times, with n = 0 when it
// needs nothing. Every call costs one MPI_Alltoall (counts) and two MPI_Alltoallv (ids, rows).
// An id outside [0, num_nodes) fails with ErrorKind::Range naming `op`, the id and its position;
// the other ranks then fail with ErrorKind::Distributed after the count exchange instead of
// waiting for rows that never come.
void gather_rows(const FeatureShard& shard, const int32_t* ids, int64_t n, void* out,
                 const char* op);

}  // namespace fathom::dist
