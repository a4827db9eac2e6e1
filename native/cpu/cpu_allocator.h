// Host memory for tensors: 64-byte aligned so SIMD loads never straddle cache lines.
#pragma once
#include <cstddef>

namespace fathom::cpu {

// Throws Error(OutOfMemory) naming the request size.
void* allocate(size_t bytes);
void release(void* ptr, size_t bytes);

}  // namespace fathom::cpu
