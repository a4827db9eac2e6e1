// CUDA kernels (launchers run on the default stream). Only compiled with the CUDA backend.
#pragma once
#include <cstdint>

namespace fathom::cuda {
#include "../core/kernel_api.inc"
}  // namespace fathom::cuda
