// CPU twins of every kernel (OpenMP, BLAS where found).
#pragma once
#include <cstdint>

namespace fathom::cpu {
#include "../core/kernel_api.inc"

// The CPU GAT backward reduces its per-node attention-vector terms kGatContribRows rows at a
// time (a multiple of sum_rows' 256-row blocks, so the sums keep their bits): its scratch holds
// that many rows of [H*F], not all rows of gat_scratch_size.
constexpr int64_t kGatContribRows = 16384;
inline int64_t gat_cpu_scratch_size(int64_t Nt, int64_t Ns, int64_t H, int64_t F) {
  const int64_t rows = Nt > Ns ? Nt : Ns;
  return (rows < kGatContribRows ? rows : kGatContribRows) * H * F + (Ns + 2 * Nt) * H;
}
}  // namespace fathom::cpu
