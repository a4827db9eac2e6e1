// CUDA kernels (launchers run on the default stream). Only compiled with the CUDA backend.
#pragma once
#include <cstdint>

namespace fathom::cuda {
#include "../core/kernel_api.inc"
#include "../core/kernel_api_aggr.inc"
#include "../core/kernel_api_diag.inc"
#include "../core/kernel_api_edge.inc"
#include "../core/kernel_api_gat.inc"
#include "../core/kernel_api_layer_norm.inc"
#include "../core/kernel_api_norm.inc"
}  // namespace fathom::cuda
