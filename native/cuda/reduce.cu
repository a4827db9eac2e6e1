// Reductions, deterministic by construction: no floating-point atomics anywhere. Each sum is a
// fixed tree whose shape depends on the sizes alone (never on the GPU, its SM count or timing):
// a first pass writes one partial per block of a size-determined grid, and a single block
// combines the partials in a fixed order. Float inputs are accumulated in double, so the result
// is bit-reproducible from run to run and on any GPU.
#include <cmath>
#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

// ---- sum / count_nonfinite ----------------------------------------------------------------

// Thread g of a grid of `blocks` x kReduceBlock threads folds x[g], x[g + S], x[g + 2S], ...
// (S = grid size) sequentially, then the block folds its threads with block_sum.
template <typename T>
__global__ void __launch_bounds__(kReduceBlock)
    sum_partial_kernel(int64_t n, const T* __restrict__ x, double* __restrict__ partial) {
  __shared__ double scratch[kReduceBlock];
  double acc = 0.0;
  for (int64_t i = global_thread(); i < n; i += grid_threads()) acc += static_cast<double>(x[i]);
  acc = block_sum<kReduceBlock>(acc, scratch);
  if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

template <typename T>
__global__ void __launch_bounds__(kReduceBlock)
    sum_finish_kernel(int parts, const double* __restrict__ partial, T* __restrict__ out) {
  __shared__ double scratch[kReduceBlock];
  double acc = 0.0;
  for (int i = threadIdx.x; i < parts; i += kReduceBlock) acc += partial[i];
  acc = block_sum<kReduceBlock>(acc, scratch);
  if (threadIdx.x == 0) out[0] = static_cast<T>(acc);
}

template <typename T>
__global__ void __launch_bounds__(kReduceBlock)
    nonfinite_partial_kernel(int64_t n, const T* __restrict__ x, long long* __restrict__ partial) {
  __shared__ long long scratch[kReduceBlock];
  long long acc = 0;
  for (int64_t i = global_thread(); i < n; i += grid_threads()) acc += isfinite(x[i]) ? 0 : 1;
  acc = block_sum<kReduceBlock>(acc, scratch);
  if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

__global__ void __launch_bounds__(kReduceBlock)
    count_finish_kernel(int parts, const long long* __restrict__ partial,
                        int64_t* __restrict__ out) {
  __shared__ long long scratch[kReduceBlock];
  long long acc = 0;
  for (int i = threadIdx.x; i < parts; i += kReduceBlock) acc += partial[i];
  acc = block_sum<kReduceBlock>(acc, scratch);
  if (threadIdx.x == 0) out[0] = static_cast<int64_t>(acc);
}

// ---- sum_rows -----------------------------------------------------------------------------

constexpr int kColTile = 32;  // columns per block (one per lane: coalesced row segments)
constexpr int kRowLanes = 8;  // threads down the rows of a chunk
constexpr int kRowsPerChunkMin = 64;
constexpr int kMaxChunks = 1024;  // <= gridDim.y's limit of 65535
constexpr size_t kMaxPartialBytes = size_t(256) << 20;

// Block (bx, chunk) sums rows [chunk*chunk_rows, +chunk_rows) of columns bx*32 .. bx*32+31:
// thread (tx, ty) folds rows ty, ty+8, ... of its column, then thread ty == 0 folds the 8
// lanes in order. With one chunk the total goes straight to `out`, otherwise to partial.
template <typename T>
__global__ void __launch_bounds__(kColTile* kRowLanes)
    sum_rows_partial_kernel(int64_t rows, int64_t cols, int64_t chunk_rows, const T* __restrict__ x,
                            double* __restrict__ partial, T* __restrict__ out) {
  __shared__ double s[kRowLanes][kColTile + 1];
  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int64_t chunk = blockIdx.y;
  const int64_t r0 = chunk * chunk_rows;
  const int64_t r1 = r0 + chunk_rows < rows ? r0 + chunk_rows : rows;
  const int64_t col_tiles = (cols + kColTile - 1) / kColTile;
  for (int64_t tile = blockIdx.x; tile < col_tiles; tile += gridDim.x) {  // uniform per block
    const int64_t c = tile * kColTile + tx;
    double acc = 0.0;
    if (c < cols) {
      for (int64_t r = r0 + ty; r < r1; r += kRowLanes) acc += static_cast<double>(x[r * cols + c]);
    }
    s[ty][tx] = acc;
    __syncthreads();
    if (ty == 0 && c < cols) {
      double total = s[0][tx];
#pragma unroll
      for (int k = 1; k < kRowLanes; ++k) total += s[k][tx];
      if (partial != nullptr) {
        partial[chunk * cols + c] = total;
      } else {
        out[c] = static_cast<T>(total);
      }
    }
    __syncthreads();
  }
}

template <typename T>
__global__ void sum_rows_finish_kernel(int64_t cols, int64_t chunks,
                                       const double* __restrict__ partial, T* __restrict__ out) {
  for (int64_t c = global_thread(); c < cols; c += grid_threads()) {
    double total = 0.0;
    for (int64_t k = 0; k < chunks; ++k) total += partial[k * cols + c];
    out[c] = static_cast<T>(total);
  }
}

// ---- argmax_rows --------------------------------------------------------------------------

// Does candidate (v, i) beat the current best (bv, bi)? NaN beats every number (as in PyTorch
// and on the CPU), and among equals (NaN or not) the smaller index wins: a total order, so any
// combination order yields the CPU's answer, the first index of the maximum.
template <typename T>
__device__ __forceinline__ bool beats(T v, int64_t i, T bv, int64_t bi) {
  const bool vn = isnan(v);
  const bool bn = isnan(bv);
  if (vn || bn) return vn && (!bn || i < bi);
  return v > bv || (v == bv && i < bi);
}

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    argmax_rows_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                       int32_t* __restrict__ out) {
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const T* xr = x + r * cols;
    // Lanes start at column `lane`; lanes with no column hold index `cols`, which never wins.
    T best = lane < cols ? xr[lane] : T(0);
    int64_t best_i = lane < cols ? lane : cols;
    for (int64_t c = lane + G; c < cols; c += G) {
      const T v = xr[c];
      if (beats(v, c, best, best_i)) {
        best = v;
        best_i = c;
      }
    }
    if constexpr (G > 1) {
      const unsigned mask = group_mask<G>();
#pragma unroll
      for (int o = G / 2; o > 0; o >>= 1) {
        const T v = __shfl_xor_sync(mask, best, o, G);
        const int64_t i = __shfl_xor_sync(mask, static_cast<long long>(best_i), o, G);
        if (i < cols && (best_i >= cols || beats(v, i, best, best_i))) {
          best = v;
          best_i = i;
        }
      }
    }
    if (lane == 0) out[r] = static_cast<int32_t>(best_i);
  }
}

__global__ void fill_i32_kernel(int64_t n, int32_t value, int32_t* __restrict__ out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) out[i] = value;
}

}  // namespace

template <typename T>
void sum(int64_t n, const T* x, T* out) {
  const int blocks = reduce_blocks(n);  // depends on n only
  Scratch partial(sizeof(double) * static_cast<size_t>(blocks));
  sum_partial_kernel<T><<<blocks, kReduceBlock, 0, launch_stream()>>>(n, x, partial.as<double>());
  FATHOM_CUDA_LAUNCH_CHECK("sum");
  sum_finish_kernel<T><<<1, kReduceBlock, 0, launch_stream()>>>(blocks, partial.as<double>(), out);
  FATHOM_CUDA_LAUNCH_CHECK("sum");
}

template <typename T>
void count_nonfinite(int64_t n, const T* x, int64_t* out) {
  const int blocks = reduce_blocks(n);
  Scratch partial(sizeof(long long) * static_cast<size_t>(blocks));
  nonfinite_partial_kernel<T>
      <<<blocks, kReduceBlock, 0, launch_stream()>>>(n, x, partial.as<long long>());
  FATHOM_CUDA_LAUNCH_CHECK("count_nonfinite");
  count_finish_kernel<<<1, kReduceBlock, 0, launch_stream()>>>(blocks, partial.as<long long>(),
                                                               out);
  FATHOM_CUDA_LAUNCH_CHECK("count_nonfinite");
}

template <typename T>
void sum_rows(int64_t rows, int64_t cols, const T* x, T* out) {
  if (cols <= 0) return;
  if (rows <= 0) {
    fill<T>(cols, T(0), out);
    return;
  }
  // Chunks of rows, from the sizes alone: at least 64 rows each, at most 1024 chunks, and at
  // most 256 MiB of double partials.
  int64_t chunk_rows = std::max<int64_t>(kRowsPerChunkMin, (rows + kMaxChunks - 1) / kMaxChunks);
  int64_t chunks = (rows + chunk_rows - 1) / chunk_rows;
  const int64_t max_chunks_by_bytes =
      std::max<int64_t>(1, static_cast<int64_t>(kMaxPartialBytes / sizeof(double)) / cols);
  if (chunks > max_chunks_by_bytes) {
    chunk_rows = (rows + max_chunks_by_bytes - 1) / max_chunks_by_bytes;
    chunks = (rows + chunk_rows - 1) / chunk_rows;
  }
  const int64_t col_tiles = (cols + kColTile - 1) / kColTile;
  const dim3 block(kColTile, kRowLanes);
  const dim3 grid(static_cast<unsigned>(std::min<int64_t>(col_tiles, kMaxBlocks)),
                  static_cast<unsigned>(chunks));
  if (chunks == 1) {
    sum_rows_partial_kernel<T>
        <<<grid, block, 0, launch_stream()>>>(rows, cols, chunk_rows, x, nullptr, out);
    FATHOM_CUDA_LAUNCH_CHECK("sum_rows");
    return;
  }
  Scratch partial(sizeof(double) * static_cast<size_t>(chunks * cols));
  sum_rows_partial_kernel<T><<<grid, block, 0, launch_stream()>>>(rows, cols, chunk_rows, x,
                                                                  partial.as<double>(), nullptr);
  FATHOM_CUDA_LAUNCH_CHECK("sum_rows");
  sum_rows_finish_kernel<T>
      <<<blocks_for(cols), kBlock, 0, launch_stream()>>>(cols, chunks, partial.as<double>(), out);
  FATHOM_CUDA_LAUNCH_CHECK("sum_rows");
}

template <typename T>
void argmax_rows(int64_t rows, int64_t cols, const T* x, int32_t* out) {
  if (rows <= 0) return;
  if (cols <= 0) {  // no class to pick: -1, as on the CPU
    fill_i32_kernel<<<blocks_for(rows), kBlock, 0, launch_stream()>>>(rows, -1, out);
    FATHOM_CUDA_LAUNCH_CHECK("argmax_rows");
    return;
  }
  with_group_lanes(cols, [&](auto g) {
    constexpr int G = decltype(g)::value;
    argmax_rows_kernel<G, T>
        <<<row_group_blocks(rows, G), kBlock, 0, launch_stream()>>>(rows, cols, x, out);
  });
  FATHOM_CUDA_LAUNCH_CHECK("argmax_rows");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_reduce 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
