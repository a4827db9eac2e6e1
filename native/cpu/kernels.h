// CPU twins of every kernel (OpenMP, BLAS where found).
#pragma once
#include <cstdint>

namespace fathom::cpu {
#include "../core/kernel_api.inc"
}  // namespace fathom::cpu
