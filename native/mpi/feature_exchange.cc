// The exchange: each rank sorts its ids by owner, tells every rank how many it wants
// (MPI_Alltoall), sends the ids (MPI_Alltoallv), packs the rows it was asked for and sends them
// back (MPI_Alltoallv of row blocks), and scatters what it got into the order of its ids. A count
// of -1 is the signal that a rank found a bad id: every rank then fails after the first exchange,
// so none waits in the second.
#include "feature_exchange.h"

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "mpi_runtime.h"

namespace fathom::dist {

namespace {

constexpr int kBadRequest = -1;

// The first bad id's message, or "" when every id is a node with a valid owner.
std::string check_ids(const FeatureShard& s, const int32_t* ids, int64_t n, int size) {
  if (n > std::numeric_limits<int>::max())
    return std::to_string(n) + " ids exceed MPI's int count (at most 2^31 - 1 per call)";
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = ids[i];
    if (v < 0 || v >= s.num_nodes)
      return "node id " + std::to_string(v) + " at position " + std::to_string(i) +
             " is not in [0, " + std::to_string(s.num_nodes) + ")";
    if (s.owner[v] < 0 || s.owner[v] >= size)
      return "the partition book gives node " + std::to_string(v) + " to rank " +
             std::to_string(s.owner[v]) + ", not a rank of a world of " + std::to_string(size);
  }
  return "";
}

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (size_t r = 1; r < counts.size(); ++r) d[r] = d[r - 1] + counts[r - 1];
  return d;
}

// A world of one (no MPI): every row is this process's.
void gather_local(const FeatureShard& s, const int32_t* ids, int64_t n, void* out, const char* op) {
  const std::string bad = check_ids(s, ids, n, 1);
  if (!bad.empty()) fail(ErrorKind::Range, op, bad);
  const size_t row_bytes = static_cast<size_t>(s.width) * dtype_size(s.dtype);
  const auto* rows = static_cast<const unsigned char*>(s.rows);
  auto* dst = static_cast<unsigned char*>(out);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t row = s.local[ids[i]];
    FATHOM_CHECK(row >= 0 && row < s.num_local, ErrorKind::Range, op,
                 "the partition book places node " + std::to_string(ids[i]) + " at row " +
                     std::to_string(row) + " of a shard of " + std::to_string(s.num_local));
    std::memcpy(dst + i * row_bytes, rows + row * row_bytes, row_bytes);
  }
}

}  // namespace

void gather_rows(const FeatureShard& s, const int32_t* ids, int64_t n, void* out, const char* op) {
  MpiRuntime& mpi = MpiRuntime::instance();
  if (!mpi.initialized()) return gather_local(s, ids, n, out, op);
  const int size = mpi.size(), me = mpi.rank();
  const std::string bad = check_ids(s, ids, n, size);

  std::vector<int> send_counts(size, 0), recv_counts(size, 0);
  if (bad.empty()) {
    for (int64_t i = 0; i < n; ++i) ++send_counts[s.owner[ids[i]]];
  } else {
    send_counts.assign(size, kBadRequest);
  }
  mpi.all_to_all_int(send_counts.data(), recv_counts.data(), op);
  if (!bad.empty()) fail(ErrorKind::Range, op, bad);
  int64_t incoming = 0;
  for (int r = 0; r < size; ++r) {
    if (recv_counts[r] == kBadRequest)
      fail(ErrorKind::Distributed, op,
           "rank " + std::to_string(r) + " asked for a node id that is not in the graph (its own " +
               "error names it); no rows were exchanged");
    incoming += recv_counts[r];
  }
  FATHOM_CHECK(incoming <= std::numeric_limits<int>::max(), ErrorKind::Range, op,
               std::to_string(incoming) + " rows asked of rank " + std::to_string(me) +
                   " exceed MPI's int count");

  // This rank's requests, grouped by owner (stable: positions within a group keep their order).
  const std::vector<int> send_displs = displacements(send_counts);
  std::vector<int> fill = send_displs;
  std::vector<int32_t> by_owner(static_cast<size_t>(n));
  std::vector<int64_t> position(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int at = fill[s.owner[ids[i]]]++;
    by_owner[at] = ids[i];
    position[at] = i;
  }
  const std::vector<int> recv_displs = displacements(recv_counts);
  std::vector<int32_t> asked(static_cast<size_t>(incoming));
  mpi.all_to_all_v(by_owner.data(), send_counts.data(), send_displs.data(), asked.data(),
                   recv_counts.data(), recv_displs.data(), DType::I32, 1, op);

  // The rows asked of this rank. A node it does not own (ranks whose partition books differ)
  // gets zeros, so that the exchange completes on every rank; this rank then fails.
  const size_t row_bytes = static_cast<size_t>(s.width) * dtype_size(s.dtype);
  std::vector<unsigned char> reply(static_cast<size_t>(incoming) * row_bytes, 0);
  const auto* rows = static_cast<const unsigned char*>(s.rows);
  std::string foreign;
  for (int64_t k = 0; k < incoming; ++k) {
    const int32_t v = asked[k];
    const bool mine = v >= 0 && v < s.num_nodes && s.owner[v] == me && s.local[v] >= 0 &&
                      s.local[v] < s.num_local;
    if (mine) {
      std::memcpy(reply.data() + k * row_bytes, rows + s.local[v] * row_bytes, row_bytes);
    } else if (foreign.empty()) {
      foreign = "rank " + std::to_string(me) + " was asked for node " + std::to_string(v) +
                ", which its partition book does not place among its " +
                std::to_string(s.num_local) + " rows; the ranks' partition books differ";
    }
  }
  std::vector<unsigned char> got(static_cast<size_t>(n) * row_bytes);
  if (s.width > 0)
    mpi.all_to_all_v(reply.data(), recv_counts.data(), recv_displs.data(), got.data(),
                     send_counts.data(), send_displs.data(), s.dtype, s.width, op);
  if (!foreign.empty()) fail(ErrorKind::Distributed, op, foreign);
  auto* dst = static_cast<unsigned char*>(out);
  for (int64_t k = 0; k < n; ++k)
    std::memcpy(dst + position[k] * row_bytes, got.data() + k * row_bytes, row_bytes);
}

}  // namespace fathom::dist
