// CPU twins of every kernel (OpenMP, BLAS where found).
#pragma once
#include <cstdint>

namespace fathom::cpu {
#include "../core/kernel_api.inc"
#include "../core/kernel_api_diag.inc"
#include "../core/kernel_api_edge.inc"
#include "../core/kernel_api_gat.inc"
#include "../core/kernel_api_norm.inc"
}  // namespace fathom::cpu
