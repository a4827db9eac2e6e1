// Alternative CUDA kernels for one op, chosen at run time. A new kernel ships beside the one it
// may replace and stays off until it has been checked against the CPU twin on a GPU and timed
// against the established kernel in the same run (bench/gpu/run-gpu-checks.sh runs both): a
// kernel that cannot be run where it is written must not become every user's default unseen.
//
// FATHOM_CUDA_GAT=per-node and FATHOM_CUDA_SPMM=row-cached pick the new kernels for a process
// (read once, at the first launch); any other value, or none, keeps the established ones.
// FATHOM_CUDA_SPLIT_ROWS=1 adds, to those two new kernels, the splitting of long rows across
// warps (row_split.cuh); the established kernels never split. Tests switch with the setters.
#pragma once
#include <cstdlib>
#include <cstring>

namespace fathom::cuda {

// GAT attention: kPerHead, one warp per (target, head), lanes over the head's channels;
// kPerNode, one warp per target, lanes over every head's channels (GATConv, version 1).
enum class GatKernel { kPerHead, kPerNode };
// CSR × dense: kPerRow, G lanes per row walking the row once per feature slice; kRowCached, the
// row's column indices and values loaded once per 32 nonzeros and shared through shuffles.
enum class SpmmKernel { kPerRow, kRowCached };

namespace detail {
inline bool env_is(const char* var, const char* value) {
  const char* v = std::getenv(var);
  return v != nullptr && std::strcmp(v, value) == 0;
}
inline GatKernel& gat_choice() {
  static GatKernel k =
      env_is("FATHOM_CUDA_GAT", "per-node") ? GatKernel::kPerNode : GatKernel::kPerHead;
  return k;
}
inline bool& split_choice() {
  static bool on = env_is("FATHOM_CUDA_SPLIT_ROWS", "1");
  return on;
}
inline SpmmKernel& spmm_choice() {
  static SpmmKernel k =
      env_is("FATHOM_CUDA_SPMM", "row-cached") ? SpmmKernel::kRowCached : SpmmKernel::kPerRow;
  return k;
}
}  // namespace detail

inline GatKernel gat_kernel() { return detail::gat_choice(); }
inline void set_gat_kernel(GatKernel k) { detail::gat_choice() = k; }
inline SpmmKernel spmm_kernel() { return detail::spmm_choice(); }
inline void set_spmm_kernel(SpmmKernel k) { detail::spmm_choice() = k; }
// Whether the per-node GAT and row-cached SpMM kernels split long rows (row_split.cuh).
inline bool split_rows() { return detail::split_choice(); }
inline void set_split_rows(bool on) { detail::split_choice() = on; }

}  // namespace fathom::cuda
