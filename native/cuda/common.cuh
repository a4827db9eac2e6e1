// Shared helpers for the CUDA kernels: launch geometry, int64 grid-stride indexing, warp
// reductions, deterministic block reductions and a scratch buffer from the caching allocator.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "check.cuh"
#include "kernels.h"
#include "runtime.h"

namespace fathom::cuda::detail {

// The stream of every launch: this thread's (runtime.h), the legacy default stream except while a
// compiled step captures its CUDA graph.
inline cudaStream_t launch_stream() { return static_cast<cudaStream_t>(current_stream()); }

constexpr int kBlock = 256;  // threads per block of the elementwise kernels
constexpr int kWarp = 32;
constexpr int64_t kMaxBlocks = 1 << 20;  // grid-stride loops cover the rest

// Blocks for `n` work items at `per_block` items per block, at least 1, at most kMaxBlocks.
inline unsigned int blocks_for(int64_t n, int64_t per_block = kBlock) {
  const int64_t b = (n + per_block - 1) / per_block;
  return static_cast<unsigned int>(std::max<int64_t>(1, std::min<int64_t>(b, kMaxBlocks)));
}

__device__ __forceinline__ int64_t global_thread() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ int64_t grid_threads() {
  return static_cast<int64_t>(gridDim.x) * blockDim.x;
}

// Arithmetic that nvcc may not contract into fused multiply-adds: where the CPU backend's formula
// is a chain of separately rounded operations (optimizer updates, axpby), these give the GPU the
// same roundings (bit-identical to a CPU build that does not contract either, e.g. x86-64's
// baseline, which has no FMA).
__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float add_rn(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add_rn(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float sub_rn(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ double sub_rn(double a, double b) { return __dsub_rn(a, b); }

// Sum over the lanes of a full warp (every lane of the warp must call it); fixed butterfly, so
// the result is deterministic and identical in every lane.
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
  for (int o = kWarp / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// The lanes of the aligned group of G lanes (G a power of two <= 32) that holds this thread.
template <int G>
__device__ __forceinline__ unsigned group_mask() {
  if constexpr (G == kWarp) {
    return 0xffffffffu;
  } else {
    const unsigned lane = threadIdx.x & (kWarp - 1);
    return ((1u << G) - 1u) << (lane & ~static_cast<unsigned>(G - 1));
  }
}

// Sum over the G lanes of an aligned group inside a warp (G a power of two <= 32). Only the
// group's lanes take part, so groups of one warp may run different trip counts.
template <int G, typename T>
__device__ __forceinline__ T group_sum(T v) {
  if constexpr (G > 1) {
    const unsigned mask = group_mask<G>();
#pragma unroll
    for (int o = G / 2; o > 0; o >>= 1) v += __shfl_xor_sync(mask, v, o, G);
  }
  return v;
}

// Maximum over a group's lanes; NaN is ignored unless every lane holds NaN (fmax), as the CPU's
// std::fmax row maximum.
template <int G>
__device__ __forceinline__ double group_max(double v) {
  if constexpr (G > 1) {
    const unsigned mask = group_mask<G>();
#pragma unroll
    for (int o = G / 2; o > 0; o >>= 1) v = fmax(v, __shfl_xor_sync(mask, v, o, G));
  }
  return v;
}

// Lanes per row for a row of `width` elements: the smallest power of two >= width, capped at a
// warp, so narrow rows share a warp (32/G rows each) instead of idling most of its lanes.
inline int group_lanes(int64_t width) {
  int g = 1;
  while (g < kWarp && g < width) g <<= 1;
  return g;
}

// Calls f(std::integral_constant<int, G>{}) with G = group_lanes(width).
template <typename F>
void with_group_lanes(int64_t width, F&& f) {
  switch (group_lanes(width)) {
    case 1:
      f(std::integral_constant<int, 1>{});
      break;
    case 2:
      f(std::integral_constant<int, 2>{});
      break;
    case 4:
      f(std::integral_constant<int, 4>{});
      break;
    case 8:
      f(std::integral_constant<int, 8>{});
      break;
    case 16:
      f(std::integral_constant<int, 16>{});
      break;
    default:
      f(std::integral_constant<int, 32>{});
      break;
  }
}

// Blocks of kBlock threads carrying `rows` groups of G lanes (G divides kBlock, so groups never
// straddle a warp).
inline unsigned row_group_blocks(int64_t rows, int G) { return blocks_for(rows * G, kBlock); }

// Deterministic sum over a block of exactly BLOCK threads (a power of two); the total is
// returned in thread 0 (other threads get partial values). `scratch` holds BLOCK elements.
// Ends with a __syncthreads-free warp stage, so callers must __syncthreads() before reusing
// scratch.
template <int BLOCK, typename Acc>
__device__ __forceinline__ Acc block_sum(Acc v, Acc* scratch) {
  static_assert((BLOCK & (BLOCK - 1)) == 0 && BLOCK >= kWarp, "BLOCK must be a power of two >= 32");
  const int t = threadIdx.x;
  scratch[t] = v;
  __syncthreads();
#pragma unroll
  for (int s = BLOCK / 2; s >= kWarp; s >>= 1) {
    if (t < s) scratch[t] += scratch[t + s];
    __syncthreads();
  }
  Acc w = scratch[t & (kWarp - 1)];
  if (t < kWarp) w = warp_sum(w);
  return w;
}

// Device scratch memory from the caching allocator, released (back to the cache) on scope exit.
// Safe while kernels still use it: every launch is on the legacy default stream, so whatever
// reuses the block next is ordered after them, and the cache frees memory only through
// cudaFree, which synchronises the device first.
class Scratch {
 public:
  explicit Scratch(size_t bytes) : bytes_(bytes), ptr_(allocate(bytes)) {}
  ~Scratch() { release(ptr_, bytes_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }

 private:
  size_t bytes_;
  void* ptr_;
};

// Two-pass reductions use a grid that depends on n alone (never on the device), so a given
// input reduces in the same order on every run and every GPU.
constexpr int kReduceBlock = 256;
constexpr int kReduceMaxBlocks = 1024;
constexpr int kReduceItemsPerThread = 8;
inline int reduce_blocks(int64_t n) {
  const int64_t per_block = static_cast<int64_t>(kReduceBlock) * kReduceItemsPerThread;
  const int64_t b = (n + per_block - 1) / per_block;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(b, kReduceMaxBlocks)));
}

}  // namespace fathom::cuda::detail
