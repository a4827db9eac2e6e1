// CPU twins of every kernel (OpenMP, BLAS where found).
#pragma once
#include <cstdint>

namespace fathom::cpu {
#include "../core/kernel_api.inc"

// The CPU GAT backward reduces its per-node attention-vector terms kGatContribRows rows at a
// time (a multiple of sum_rows' 256-row blocks, so the sums keep their bits): its scratch holds
// that many rows of [H*F], not all N of gat_scratch_size.
constexpr int64_t kGatContribRows = 16384;
inline int64_t gat_cpu_scratch_size(int64_t N, int64_t H, int64_t F) {
  return (N < kGatContribRows ? N : kGatContribRows) * H * F + 3 * N * H;
}
}  // namespace fathom::cpu
