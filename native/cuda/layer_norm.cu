// Layer normalization (core/kernel_list.inc) on the GPU, the twin of cpu/layer_norm.cc.
// A row belongs to a group of G lanes of one warp (G = 32 for rows of 32+ features, the next power
// of two >= cols below that); the lanes stride over the row's features, and the row's mean, its
// sum of squares about that mean and the backward's two row sums are combined with fixed shuffle
// trees, all in double. dweight and dbias are reduced over rows as sum_rows does (reduce.cu):
// chunks of rows whose count depends on the shape alone, a fixed order inside each (column,
// chunk), and the chunks folded in order by one thread per column. No atomics: the results repeat
// bit for bit from run to run; they may differ from the CPU's in the last place (summation order).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    layer_norm_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                      const T* __restrict__ weight, const T* __restrict__ bias, double eps,
                      T* __restrict__ y, double* __restrict__ mean, double* __restrict__ rstd) {
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  const double inv_f = 1.0 / static_cast<double>(cols);
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const T* xr = x + r * cols;
    T* yr = y + r * cols;
    double s = 0.0;
    for (int64_t c = lane; c < cols; c += G) s += static_cast<double>(xr[c]);
    const double m = group_sum<G>(s) * inv_f;
    double q = 0.0;
    for (int64_t c = lane; c < cols; c += G) {
      const double d = static_cast<double>(xr[c]) - m;
      q += d * d;
    }
    const double rs = 1.0 / sqrt(group_sum<G>(q) * inv_f + eps);
    if (lane == 0) {
      mean[r] = m;
      rstd[r] = rs;
    }
    for (int64_t c = lane; c < cols; c += G) {
      double v = (static_cast<double>(xr[c]) - m) * rs;
      if (weight != nullptr) v *= static_cast<double>(weight[c]);
      if (bias != nullptr) v += static_cast<double>(bias[c]);
      yr[c] = static_cast<T>(v);
    }
  }
}

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    layer_norm_dx_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                         const T* __restrict__ weight, const double* __restrict__ mean,
                         const double* __restrict__ rstd, const T* __restrict__ grad,
                         T* __restrict__ dx) {
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  const double inv_f = 1.0 / static_cast<double>(cols);
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const T* xr = x + r * cols;
    const T* gr = grad + r * cols;
    T* dr = dx + r * cols;
    const double m = mean[r], rs = rstd[r];
    double sg = 0.0, sgx = 0.0;
    for (int64_t c = lane; c < cols; c += G) {
      double g = static_cast<double>(gr[c]);
      if (weight != nullptr) g *= static_cast<double>(weight[c]);
      sg += g;
      sgx += g * ((static_cast<double>(xr[c]) - m) * rs);
    }
    const double a = group_sum<G>(sg) * inv_f;
    const double b = group_sum<G>(sgx) * inv_f;
    for (int64_t c = lane; c < cols; c += G) {
      double g = static_cast<double>(gr[c]);
      if (weight != nullptr) g *= static_cast<double>(weight[c]);
      const double xh = (static_cast<double>(xr[c]) - m) * rs;
      dr[c] = static_cast<T>(rs * (g - a - xh * b));
    }
  }
}

constexpr int kColTile = 32;  // columns per block (one per lane: coalesced row segments)
constexpr int kRowLanes = 8;  // threads down the rows of a chunk
constexpr int kRowsPerChunkMin = 64;
constexpr int kMaxChunks = 1024;  // <= gridDim.y's limit of 65535
constexpr size_t kMaxPartialBytes = size_t(256) << 20;

// Block (bx, chunk) reduces rows [chunk*chunk_rows, +chunk_rows) of columns bx*32 .. bx*32+31:
// thread (tx, ty) folds rows ty, ty+8, ... of its column (grad·xhat for dweight, grad for dbias),
// then thread ty == 0 folds the 8 lanes in order. With one chunk the totals go straight to
// dweight / dbias, otherwise to the partials [chunks, cols] (either may be nullptr: not wanted).
template <typename T>
__global__ void __launch_bounds__(kColTile* kRowLanes)
    layer_norm_params_partial_kernel(int64_t rows, int64_t cols, int64_t chunk_rows,
                                     const T* __restrict__ x, const double* __restrict__ mean,
                                     const double* __restrict__ rstd, const T* __restrict__ grad,
                                     double* __restrict__ part_w, double* __restrict__ part_b,
                                     T* __restrict__ dweight, T* __restrict__ dbias) {
  __shared__ double s_w[kRowLanes][kColTile + 1];
  __shared__ double s_b[kRowLanes][kColTile + 1];
  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int64_t chunk = blockIdx.y;
  const int64_t r0 = chunk * chunk_rows;
  const int64_t r1 = r0 + chunk_rows < rows ? r0 + chunk_rows : rows;
  const int64_t col_tiles = (cols + kColTile - 1) / kColTile;
  const bool want_w = dweight != nullptr;
  const bool want_b = dbias != nullptr;
  const bool to_partial = part_w != nullptr || part_b != nullptr;
  for (int64_t tile = blockIdx.x; tile < col_tiles; tile += gridDim.x) {  // uniform per block
    const int64_t c = tile * kColTile + tx;
    double acc_w = 0.0, acc_b = 0.0;
    if (c < cols) {
      for (int64_t r = r0 + ty; r < r1; r += kRowLanes) {
        const double g = static_cast<double>(grad[r * cols + c]);
        if (want_w) acc_w += g * ((static_cast<double>(x[r * cols + c]) - mean[r]) * rstd[r]);
        acc_b += g;
      }
    }
    s_w[ty][tx] = acc_w;
    s_b[ty][tx] = acc_b;
    __syncthreads();
    if (ty == 0 && c < cols) {
      double total_w = s_w[0][tx], total_b = s_b[0][tx];
#pragma unroll
      for (int k = 1; k < kRowLanes; ++k) {
        total_w += s_w[k][tx];
        total_b += s_b[k][tx];
      }
      if (to_partial) {
        if (want_w) part_w[chunk * cols + c] = total_w;
        if (want_b) part_b[chunk * cols + c] = total_b;
      } else {
        if (want_w) dweight[c] = static_cast<T>(total_w);
        if (want_b) dbias[c] = static_cast<T>(total_b);
      }
    }
    __syncthreads();
  }
}

template <typename T>
__global__ void layer_norm_params_finish_kernel(int64_t cols, int64_t chunks,
                                                const double* __restrict__ part_w,
                                                const double* __restrict__ part_b,
                                                T* __restrict__ dweight, T* __restrict__ dbias) {
  for (int64_t c = global_thread(); c < cols; c += grid_threads()) {
    if (dweight != nullptr) {
      double total = 0.0;
      for (int64_t k = 0; k < chunks; ++k) total += part_w[k * cols + c];
      dweight[c] = static_cast<T>(total);
    }
    if (dbias != nullptr) {
      double total = 0.0;
      for (int64_t k = 0; k < chunks; ++k) total += part_b[k * cols + c];
      dbias[c] = static_cast<T>(total);
    }
  }
}

// dweight and dbias (either may be nullptr) for rows >= 1.
template <typename T>
void layer_norm_params(int64_t rows, int64_t cols, const T* x, const double* mean,
                       const double* rstd, const T* grad, T* dweight, T* dbias) {
  const char* op = "layer_norm_backward";
  const int64_t sums = (dweight != nullptr ? 1 : 0) + (dbias != nullptr ? 1 : 0);
  // Chunks of rows from the sizes alone: at least 64 rows each, at most 1024 chunks, and at most
  // 256 MiB of double partials.
  int64_t chunk_rows = std::max<int64_t>(kRowsPerChunkMin, (rows + kMaxChunks - 1) / kMaxChunks);
  int64_t chunks = (rows + chunk_rows - 1) / chunk_rows;
  const int64_t max_chunks_by_bytes =
      std::max<int64_t>(1, static_cast<int64_t>(kMaxPartialBytes / sizeof(double)) / (sums * cols));
  if (chunks > max_chunks_by_bytes) {
    chunk_rows = (rows + max_chunks_by_bytes - 1) / max_chunks_by_bytes;
    chunks = (rows + chunk_rows - 1) / chunk_rows;
  }
  const int64_t col_tiles = (cols + kColTile - 1) / kColTile;
  const dim3 block(kColTile, kRowLanes);
  const dim3 grid(static_cast<unsigned>(std::min<int64_t>(col_tiles, kMaxBlocks)),
                  static_cast<unsigned>(chunks));
  if (chunks == 1) {
    layer_norm_params_partial_kernel<T><<<grid, block, 0, launch_stream()>>>(
        rows, cols, chunk_rows, x, mean, rstd, grad, nullptr, nullptr, dweight, dbias);
    FATHOM_CUDA_LAUNCH_CHECK(op);
    return;
  }
  Scratch partial(sizeof(double) * static_cast<size_t>(sums * chunks * cols));
  double* part_w = dweight != nullptr ? partial.as<double>() : nullptr;
  double* part_b = dbias != nullptr ? partial.as<double>() + (sums - 1) * chunks * cols : nullptr;
  layer_norm_params_partial_kernel<T><<<grid, block, 0, launch_stream()>>>(
      rows, cols, chunk_rows, x, mean, rstd, grad, part_w, part_b, dweight, dbias);
  FATHOM_CUDA_LAUNCH_CHECK(op);
  layer_norm_params_finish_kernel<T><<<blocks_for(cols), kBlock, 0, launch_stream()>>>(
      cols, chunks, part_w, part_b, dweight, dbias);
  FATHOM_CUDA_LAUNCH_CHECK(op);
}

}  // namespace

template <typename T>
void layer_norm(int64_t rows, int64_t cols, const T* x, const T* weight, const T* bias, double eps,
                T* y, double* mean, double* rstd) {
  if (rows <= 0 || cols <= 0) return;
  with_group_lanes(cols, [&](auto g) {
    constexpr int G = decltype(g)::value;
    layer_norm_kernel<G, T><<<row_group_blocks(rows, G), kBlock, 0, launch_stream()>>>(
        rows, cols, x, weight, bias, eps, y, mean, rstd);
  });
  FATHOM_CUDA_LAUNCH_CHECK("layer_norm");
}

template <typename T>
void layer_norm_backward(int64_t rows, int64_t cols, const T* x, const T* weight,
                         const double* mean, const double* rstd, const T* grad, T* dx, T* dweight,
                         T* dbias) {
  if (cols <= 0) return;
  if (rows <= 0) {
    if (dweight != nullptr) fill<T>(cols, T(0), dweight);
    if (dbias != nullptr) fill<T>(cols, T(0), dbias);
    return;
  }
  if (dx != nullptr) {
    with_group_lanes(cols, [&](auto g) {
      constexpr int G = decltype(g)::value;
      layer_norm_dx_kernel<G, T><<<row_group_blocks(rows, G), kBlock, 0, launch_stream()>>>(
          rows, cols, x, weight, mean, rstd, grad, dx);
    });
    FATHOM_CUDA_LAUNCH_CHECK("layer_norm_backward");
  }
  if (dweight != nullptr || dbias != nullptr) {
    layer_norm_params(rows, cols, x, mean, rstd, grad, dweight, dbias);
  }
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_layer_norm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
