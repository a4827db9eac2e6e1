// Host memory for tensors: 64-byte aligned so SIMD loads never straddle cache lines.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fathom::cpu {

// Throws Error(OutOfMemory) naming the request size.
void* allocate(size_t bytes);
void release(void* ptr, size_t bytes);

// The reuse cache of large blocks: requests served from it (hits), fresh mappings (misses), the
// bytes it holds now and the bytes of large blocks handed out and not yet released.
struct PoolStats {
  int64_t hits;
  int64_t misses;
  int64_t cached_bytes;
  int64_t in_use_bytes;
};
PoolStats pool_stats();

// Returns every cached block to the system and restarts the cap's high-water mark from what
// is in use now. Never throws.
void empty_cache();

}  // namespace fathom::cpu
