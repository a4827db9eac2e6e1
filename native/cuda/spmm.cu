// Sparse (CSR) x dense products on the GPU, without atomics.
//
// Both ops give each CSR row to a group of G lanes of one warp (G = 32 for wide features, a
// smaller power of two for narrow ones, so a warp then serves 32/G rows at once). In sddmm the
// lanes split one dot product and combine it with a fixed shuffle tree. spmm has two kernels,
// chosen at run time (variants.h, FATHOM_CUDA_SPMM); both sum each output element over the row's
// nonzeros in CSR order with the same roundings (SpmmEpilogue), so they give the same bits, on
// every run:
//
// - per row (the default): the lanes split the feature columns, f = lane, lane + G, ..., and walk
//   the whole row once per feature slice, each step reading col[k] and vals[k] again (one scalar
//   load each per nonzero and lane) before the one gathered element of X.
// - row cached (FATHOM_CUDA_SPMM=row-cached; off until a GPU run has checked and timed it): the
//   group loads the row's (col, val) pairs G at a time, one coalesced load per lane, and walks
//   them broadcasting each pair with __shfl_sync, in batches of up to 8 pairs whose gathers are
//   all issued before their sums; every lane updates all of its feature slices (up to 4, in
//   registers) in that one walk, and wider rows of X are covered by one walk per feature chunk.
//   Where F is a multiple of 4G (2G) and X and Y are 16 (8) byte aligned, a lane owns 4 (2)
//   consecutive features and gathers them with one float4 / float2 / double2 load.
//   Y = P X is bound by the gathers of X rows once X outgrows L2. This kernel issues fewer
//   instructions per gathered byte (F = 64: one 8-byte gather and two shuffles per nonzero and
//   lane instead of two 4-byte gathers and four index/value loads), and its gather addresses come
//   from registers rather than from a load, so more gathers are in flight: a row of 11 nonzeros
//   waits on memory three times per walk (its pairs, then two batches of gathers), the per-row
//   kernel's loop (up to 3 single steps, then steps unrolled by 4) about five times per slice.
#include <cstdint>
#include <optional>
#include <type_traits>

#include "common.cuh"
#include "row_split.cuh"
#include "variants.h"

namespace fathom::cuda {
namespace {

using namespace detail;

__device__ __forceinline__ float fma_rn(float a, float b, float c) { return __fmaf_rn(a, b, c); }
__device__ __forceinline__ double fma_rn(double a, double b, double c) { return __fma_rn(a, b, c); }

// One step of an output element's sum over the row: acc + w * x with a single rounding, as nvcc
// contracted the per-row kernel's `acc += w * x` before it was written out (w = 1 for
// vals == nullptr, where fma(1, x, acc) is the plain sum acc + x).
template <typename T>
__device__ __forceinline__ T spmm_step(T acc, T w, T x) {
  return fma_rn(w, x, acc);
}

// spmm_self_dev: the self term read on the device, rounded to T as the host rounds it.
template <typename T>
__device__ __forceinline__ T spmm_self_scale(T self_scale, const T* self_dev, double self_base) {
  return self_dev != nullptr
             ? static_cast<T>(__dadd_rn(self_base, static_cast<double>(self_dev[0])))
             : self_scale;
}

// What is done to a finished sum before it is stored, shared by both kernels so they round
// alike. As on the CPU, a zero self term is skipped, so a non-finite X[r] cannot turn into NaN
// and non-square operators may pass self_scale = 0. alpha * acc + self_scale * x is written with
// explicit roundings because nvcc contracted it two ways in the per-row kernel, depending on the
// code path (PTX of nvcc 13.0, sm_80 and sm_90, float and double alike): with unit weights
// fma(self_scale, x, alpha * acc), with weights fma(alpha, acc, self_scale * x). Those forms are
// pinned here, so both kernels, both architectures and later compilers give the same bits. The
// fused GCN layer's epilogue (bias, then ReLU) rounds as bias_add and relu do: add_rn keeps the
// bias out of any FMA.
template <typename T>
struct SpmmEpilogue {
  T alpha;
  T self_scale;
  const T* bias;  // [F] or null
  bool relu;
  bool unit;  // vals == nullptr: every weight is 1

  // acc: the sum for column f of a row; x_self: that row's X[r, f], read only when
  // self_scale != 0.
  __device__ __forceinline__ T operator()(T acc, T x_self, int64_t f) const {
    T v;
    if (self_scale == T(0)) {
      v = mul_rn(alpha, acc);
    } else if (unit) {
      v = fma_rn(self_scale, x_self, mul_rn(alpha, acc));
    } else {
      v = fma_rn(alpha, acc, mul_rn(self_scale, x_self));
    }
    if (bias != nullptr) v = add_rn(v, bias[f]);
    if (relu) v = v < T(0) ? T(0) : v;
    return v;
  }
};

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    spmm_per_row_kernel(int64_t rows, int64_t F, const int32_t* __restrict__ rowptr,
                        const int32_t* __restrict__ col, const T* __restrict__ vals,
                        const T* __restrict__ X, T* __restrict__ Y, T alpha, T self_scale,
                        const T* __restrict__ bias, bool relu, const T* __restrict__ self_dev,
                        double self_base) {
  self_scale = spmm_self_scale(self_scale, self_dev, self_base);
  const SpmmEpilogue<T> epi{alpha, self_scale, bias, relu, vals == nullptr};
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const int32_t begin = rowptr[r];
    const int32_t end = rowptr[r + 1];
    T* y = Y + r * F;
    const T* xr = X + r * F;
    for (int64_t f = lane; f < F; f += G) {
      T acc = T(0);
      for (int32_t k = begin; k < end; ++k) {
        const T w = vals != nullptr ? vals[k] : T(1);
        acc = spmm_step(acc, w, X[static_cast<int64_t>(col[k]) * F + f]);
      }
      y[f] = epi(acc, self_scale != T(0) ? xr[f] : T(0), f);
    }
  }
}

// V consecutive elements of T as one load or store (float4, float2, double2), for the row-cached
// kernel's lanes that own V features; the launch checks the alignment this needs.
template <typename T, int V>
struct VecOf;
template <>
struct VecOf<float, 2> {
  using type = float2;
};
template <>
struct VecOf<float, 4> {
  using type = float4;
};
template <>
struct VecOf<double, 2> {
  using type = double2;
};

// Read-only loads (the non-coherent path, as the per-row kernel's const __restrict__ loads).
template <int V, typename T>
__device__ __forceinline__ void load_vec(const T* p, T (&out)[V]) {
  if constexpr (V == 1) {
    out[0] = __ldg(p);
  } else {
    const auto u = __ldg(reinterpret_cast<const typename VecOf<T, V>::type*>(p));
    out[0] = u.x;
    out[1] = u.y;
    if constexpr (V == 4) {
      out[2] = u.z;
      out[3] = u.w;
    }
  }
}

template <int V, typename T>
__device__ __forceinline__ void store_vec(T* p, const T (&in)[V]) {
  if constexpr (V == 1) {
    p[0] = in[0];
  } else {
    typename VecOf<T, V>::type u;
    u.x = in[0];
    u.y = in[1];
    if constexpr (V == 4) {
      u.z = in[2];
      u.w = in[3];
    }
    *reinterpret_cast<typename VecOf<T, V>::type*>(p) = u;
  }
}

// Lane j's value, broadcast to the G lanes of the group (mask: group_mask<G>()).
template <int G, typename U>
__device__ __forceinline__ U group_broadcast(unsigned mask, U v, int j) {
  if constexpr (G == 1) {
    return v;
  } else {
    return __shfl_sync(mask, v, j, G);
  }
}

// Pairs per batch in the row-cached walk: a batch's gathers are all issued before the first of
// its sums, so it waits on memory once; the U * S * V values in flight stay within 16 T. This is
// the knob between gathers in flight per warp and warps per SM: at F = 64 (U = 8) ptxas gives
// the float kernel 62 registers on sm_90 (4 blocks of 256 per SM), where U = 4 would allow more
// warps with fewer gathers each.
template <int G, int V, int S>
constexpr int batch_pairs() {
  int u = 8;
  while (u > 1 && u * S * V > 16) u >>= 1;
  return u < G ? u : G;
}

// One walk of a row for one feature chunk: acc[s][v] = spmm_step(acc[s][v], w_k, X[col_k, fl +
// s G V + v]) over the row's nonzeros k in CSR order, for the lane's live slices s < live (all S
// when kAllLive). The pairs (col_k, w_k) are loaded G at a time, one per lane, and broadcast in
// order, U at a time: first the U gathers, then the U sums in order. w_k = 1 when !kWeighted
// (vals is null), as in the per-row kernel.
template <int G, int V, int S, bool kWeighted, bool kAllLive, typename T>
__device__ __forceinline__ void row_cached_walk(T (&acc)[S][V], int32_t begin, int32_t end,
                                                const int32_t* __restrict__ col,
                                                const T* __restrict__ vals, const T* __restrict__ X,
                                                int64_t F, int64_t fl, int live, unsigned mask,
                                                int lane) {
  constexpr int64_t kStride = int64_t(G) * V;
  constexpr int U = batch_pairs<G, V, S>();
  static_assert(G % U == 0, "a batch must not straddle a chunk");
  // int64: k0 + G must not wrap when the row ends near INT32_MAX.
  for (int64_t k0 = begin; k0 < end; k0 += G) {
    const int64_t rest = int64_t(end) - k0;
    const int n = static_cast<int>(rest < G ? rest : G);  // pairs in this chunk, 1 to G
    int32_t my_col = 0;
    T my_w = T(1);
    if (lane < n) {  // lanes past the row's end read nothing; their pairs are never used
      my_col = __ldg(col + k0 + lane);
      if constexpr (kWeighted) my_w = __ldg(vals + k0 + lane);
    }
    for (int j0 = 0; j0 < n; j0 += U) {
      // j0 + u < G (U divides G), so every broadcast names a lane of the group; the pairs from
      // j0 + u >= n are broadcast but neither gathered nor summed.
      T w[U];
      T x[U][S][V];
#pragma unroll
      for (int u = 0; u < U; ++u) {
        const int32_t c = group_broadcast<G>(mask, my_col, j0 + u);
        w[u] = kWeighted ? group_broadcast<G>(mask, my_w, j0 + u) : T(1);
        const T* xc = X + static_cast<int64_t>(c) * F + fl;
#pragma unroll
        for (int s = 0; s < S; ++s) {
          if (j0 + u < n && (kAllLive || s < live)) load_vec<V>(xc + s * kStride, x[u][s]);
        }
      }
#pragma unroll
      for (int u = 0; u < U; ++u) {
#pragma unroll
        for (int s = 0; s < S; ++s) {
          if (j0 + u < n && (kAllLive || s < live)) {
#pragma unroll
            for (int v = 0; v < V; ++v) acc[s][v] = spmm_step(acc[s][v], w[u], x[u][s][v]);
          }
        }
      }
    }
  }
}

// The lane's part of feature chunk f0 of a row (chunks of S slices of V features, G lanes): its
// first feature fl, its slices inside F (s < live), and whether every lane's slices are (then
// the walk needs no check). Depends on f0, F and the lane: every lane of a group takes the same
// walk, whose shuffles are the group's.
struct ChunkLanes {
  int64_t fl;
  int live;
  bool all_live;
};

template <int G, int V, int S>
__device__ __forceinline__ ChunkLanes chunk_lanes(int64_t F, int64_t f0, int lane) {
  constexpr int64_t kStride = int64_t(G) * V;  // from one slice of a lane to its next
  const int64_t fl = f0 + int64_t(lane) * V;
  // With V > 1, F is a multiple of G V (the launch checks), so a slice is either wholly inside F
  // or wholly past it.
  const int64_t left = F - fl;
  const int64_t slices = left <= 0 ? 0 : (left + kStride - 1) / kStride;
  // The group's last lane has the fewest live slices; if its last one starts inside F, all are.
  const bool all_live = F - (f0 + int64_t(G - 1) * V) > int64_t(S - 1) * kStride;
  return {fl, static_cast<int>(slices < S ? slices : S), all_live};
}

// The lane's S x V sums of feature chunk c over the entries [begin, end), from zero: the walk
// specialized for weights or none and for a chunk whose slices are all inside F.
template <int G, int V, int S, typename T>
__device__ __forceinline__ void chunk_sums(T (&acc)[S][V], const ChunkLanes& c, int32_t begin,
                                           int32_t end, const int32_t* __restrict__ col,
                                           const T* __restrict__ vals, const T* __restrict__ X,
                                           int64_t F, unsigned mask, int lane) {
#pragma unroll
  for (int s = 0; s < S; ++s) {
#pragma unroll
    for (int v = 0; v < V; ++v) acc[s][v] = T(0);
  }
  if (vals != nullptr) {
    if (c.all_live) {
      row_cached_walk<G, V, S, true, true>(acc, begin, end, col, vals, X, F, c.fl, c.live, mask,
                                           lane);
    } else {
      row_cached_walk<G, V, S, true, false>(acc, begin, end, col, vals, X, F, c.fl, c.live, mask,
                                            lane);
    }
  } else if (c.all_live) {
    row_cached_walk<G, V, S, false, true>(acc, begin, end, col, vals, X, F, c.fl, c.live, mask,
                                          lane);
  } else {
    row_cached_walk<G, V, S, false, false>(acc, begin, end, col, vals, X, F, c.fl, c.live, mask,
                                           lane);
  }
}

// The row-cached kernel (header comment). In a walk over feature chunk f0, lane l's slice s is
// the V features starting at f0 + (s G + l) V; with V = 1 the lane's features over all chunks
// are l, l + G, l + 2G, ..., those of the per-row kernel. Each of the lane's S * V sums takes
// the row's nonzeros in CSR order through spmm_step from 0, then SpmmEpilogue: the per-row
// kernel's operations in its order, so both give the same bits.
//
// With `part` (long rows split, row_split.cuh; spmm_segment_kernel has filled it and the list
// of long rows) the rows are done in two launches: kLong = false takes the short rows and skips
// the long ones, kLong = true the long rows alone (a group per entry of `long_rows`: the long row
// whose first segment is s, or -1), walking each only up to its first segment boundary and adding
// the partial sums of its segments in order before the epilogue. Two instantiations rather than a
// branch in one: the long-row path's extra state would cost the short-row walk registers (76
// instead of 62 for float at F = 64 on sm_90, one block of 256 fewer per SM). Without `part` (kLong
// = false) every row is walked whole.
//
// Every loop that contains a shuffle (rows, feature chunks, chunks of pairs, batches, the pairs
// of a batch) has the same trip count in all G lanes of a group, since it depends only on the row
// and F, so each __shfl_sync is reached by the whole group (the mask names just the group: groups
// of one warp walk different rows). Only the loads and sums of the slices are per lane.
template <int G, int V, int S, bool kLong, typename T>
__global__ void __launch_bounds__(kBlock)
    spmm_row_cached_kernel(int64_t rows, int64_t F, const int32_t* __restrict__ rowptr,
                           const int32_t* __restrict__ col, const T* __restrict__ vals,
                           const T* __restrict__ X, T* __restrict__ Y, T alpha, T self_scale,
                           const T* __restrict__ bias, bool relu, const T* __restrict__ self_dev,
                           double self_base, const T* __restrict__ part,
                           const int64_t* __restrict__ long_rows, int64_t cap) {
  static_assert(G >= 1 && G <= kWarp && (G & (G - 1)) == 0, "G must be a power of two <= 32");
  static_assert(V == 1 || V == 2 || (V == 4 && sizeof(T) == 4), "V: 1, 2, or 4 floats");
  static_assert(S >= 1 && S <= 4, "S: 1 to 4 slices per lane");
  self_scale = spmm_self_scale(self_scale, self_dev, self_base);
  const SpmmEpilogue<T> epi{alpha, self_scale, bias, relu, vals == nullptr};
  constexpr int64_t kStride = int64_t(G) * V;  // from one slice of a lane to its next
  constexpr int64_t kChunk = kStride * S;      // features per walk of the row
  const unsigned mask = group_mask<G>();
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  // No part: no row is long (a segment length past any degree).
  const Segments sg = part != nullptr ? segments(rowptr, rows, cap) : Segments{INT64_MAX / 4, 0};
  for (int64_t i = global_thread() / G; i < (kLong ? sg.segs : rows); i += groups) {
    const int64_t r = kLong ? long_rows[i] : i;
    if (r < 0) continue;  // the same for the whole group, as every skip below
    const int32_t begin = rowptr[r];
    const int32_t end = rowptr[r + 1];
    if (!kLong && sg.is_long(int64_t(end) - begin)) continue;
    // A long row: the head before its first segment boundary here, the segments' partials after.
    const int64_t first = kLong ? sg.first_segment(begin) : 0;
    const int32_t walk_end = kLong ? static_cast<int32_t>(first * sg.len) : end;
    T* y = Y + r * F;
    const T* xr = X + r * F;
    for (int64_t f0 = 0; f0 < F; f0 += kChunk) {
      const ChunkLanes c = chunk_lanes<G, V, S>(F, f0, lane);
      T acc[S][V];
      chunk_sums<G, V, S>(acc, c, begin, walk_end, col, vals, X, F, mask, lane);
      if constexpr (kLong) {
        for (int64_t s = first; s * sg.len < end; ++s) {
#pragma unroll
          for (int sl = 0; sl < S; ++sl) {
            if (sl < c.live) {
              T p[V];
              load_vec<V>(part + s * F + c.fl + sl * kStride, p);
#pragma unroll
              for (int v = 0; v < V; ++v) acc[sl][v] = add_rn(acc[sl][v], p[v]);
            }
          }
        }
      }
#pragma unroll
      for (int s = 0; s < S; ++s) {
        if (s < c.live) {
          const int64_t f = c.fl + s * kStride;
          T xs[V];
          if (self_scale != T(0)) {
            load_vec<V>(xr + f, xs);
          } else {
#pragma unroll
            for (int v = 0; v < V; ++v) xs[v] = T(0);
          }
          T out[V];
#pragma unroll
          for (int v = 0; v < V; ++v) out[v] = epi(acc[s][v], xs[v], f + v);
          store_vec<V>(y + f, out);
        }
      }
    }
  }
}

// The partial sums of the segments of long rows (row_split.cuh) for spmm_row_cached_kernel: a
// group of G lanes per segment s < segs, lanes over the features as in that kernel; a segment
// that starts inside a long row stores that row's sums over the segment's entries (in CSR order,
// from zero) in part[s F, (s + 1) F); other segments store nothing. long_rows[s] is the long row
// whose first segment s is, else -1.
template <int G, int V, int S, typename T>
__global__ void __launch_bounds__(kBlock)
    spmm_segment_kernel(int64_t rows, int64_t F, const int32_t* __restrict__ rowptr,
                        const int32_t* __restrict__ col, const T* __restrict__ vals,
                        const T* __restrict__ X, T* __restrict__ part,
                        int64_t* __restrict__ long_rows, int64_t cap) {
  constexpr int64_t kStride = int64_t(G) * V;
  constexpr int64_t kChunk = kStride * S;
  const unsigned mask = group_mask<G>();
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  const Segments sg = segments(rowptr, rows, cap);
  for (int64_t s = global_thread() / G; s < sg.segs; s += groups) {
    const SegmentWork w = segment_work(sg, rowptr, rows, s);
    const bool first = w.begin < w.end && s == sg.first_segment(rowptr[w.row]);
    if (lane == 0) long_rows[s] = first ? w.row : -1;
    if (w.begin == w.end) continue;  // the same for the whole group
    T* p = part + s * F;
    for (int64_t f0 = 0; f0 < F; f0 += kChunk) {
      const ChunkLanes c = chunk_lanes<G, V, S>(F, f0, lane);
      T acc[S][V];
      chunk_sums<G, V, S>(acc, c, static_cast<int32_t>(w.begin), static_cast<int32_t>(w.end), col,
                          vals, X, F, mask, lane);
#pragma unroll
      for (int sl = 0; sl < S; ++sl) {
        if (sl < c.live) store_vec<V>(p + c.fl + sl * kStride, acc[sl]);
      }
    }
  }
}

template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    sddmm_kernel(int64_t rows, int64_t F, const int32_t* __restrict__ rowptr,
                 const int32_t* __restrict__ col, const T* __restrict__ A, const T* __restrict__ B,
                 T* __restrict__ out) {
  const int64_t groups = grid_threads() / G;
  const int lane = static_cast<int>(threadIdx.x % G);
  // Every lane of a group runs the same trip counts (same r, same row), as group_sum requires.
  for (int64_t r = global_thread() / G; r < rows; r += groups) {
    const int32_t begin = rowptr[r];
    const int32_t end = rowptr[r + 1];
    const T* a = A + r * F;
    for (int32_t k = begin; k < end; ++k) {
      const T* b = B + static_cast<int64_t>(col[k]) * F;
      T acc = T(0);
      for (int64_t f = lane; f < F; f += G) acc += a[f] * b[f];
      acc = group_sum<G>(acc);
      if (lane == 0) out[k] = acc;
    }
  }
}

// Calls fn(std::integral_constant<int, N>{}) for the N of Ns equal to n (n must be one of them).
template <int... Ns, typename Fn>
void with_constant(int n, Fn&& fn) {
  (void)((n == Ns ? (fn(std::integral_constant<int, Ns>{}), true) : false) || ...);
}

// The row-cached kernel's vector width for G = 32 lanes: 4 (float4) or 2 (float2, double2)
// consecutive features per lane where F is a multiple of G times that and X and Y are aligned to
// it (then so is every row, since F is a multiple of the width), else 1.
template <typename T>
int row_cached_width(int64_t F, const T* X, const T* Y) {
  auto fits = [&](int v) {
    const uintptr_t bytes = uintptr_t(v) * sizeof(T);
    return F % (int64_t(kWarp) * v) == 0 && reinterpret_cast<uintptr_t>(X) % bytes == 0 &&
           reinterpret_cast<uintptr_t>(Y) % bytes == 0;
  };
  if (sizeof(T) == 4 && fits(4)) return 4;
  return fits(2) ? 2 : 1;
}

template <typename T>
void launch_spmm(const char* name, int64_t rows, int64_t F, const int32_t* rowptr,
                 const int32_t* col, const T* vals, const T* X, T* Y, T alpha, T self_scale,
                 const T* bias, bool relu, const T* self_dev = nullptr, double self_base = 0) {
  if (rows <= 0 || F <= 0) return;
  const bool row_cached = spmm_kernel() == SpmmKernel::kRowCached;
  // Long rows split (row_split.cuh): the segments' partial sums, cap slots of F, then the list of
  // long rows by first segment, cap int64 (aligned: cap F sizeof(T) is a multiple of 8). The
  // pool's blocks are cudaMalloc'd, so their alignment suits the vector loads.
  const int64_t cap = split_slots(F);
  std::optional<Scratch> part;
  if (row_cached && split_rows()) {
    part.emplace(sizeof(T) * static_cast<size_t>(cap * F) + sizeof(int64_t) * cap);
  }
  T* part_ptr = part ? part->as<T>() : nullptr;
  int64_t* long_rows = part ? reinterpret_cast<int64_t*>(part_ptr + cap * F) : nullptr;
  with_group_lanes(F, [&](auto g) {
    constexpr int G = decltype(g)::value;
    const unsigned blocks = row_group_blocks(rows, G);
    if (!row_cached) {
      spmm_per_row_kernel<G, T><<<blocks, kBlock, 0, launch_stream()>>>(
          rows, F, rowptr, col, vals, X, Y, alpha, self_scale, bias, relu, self_dev, self_base);
      return;
    }
    // With long rows split: the segments first (a group each; groups past the segment count
    // return at once), then the short rows, then the long rows, on one stream.
    auto launch = [&](auto v, auto s) {
      constexpr int kV = decltype(v)::value;
      constexpr int kS = decltype(s)::value;
      if (part_ptr != nullptr) {
        spmm_segment_kernel<G, kV, kS, T><<<row_group_blocks(cap, G), kBlock, 0, launch_stream()>>>(
            rows, F, rowptr, col, vals, X, part_ptr, long_rows, cap);
      }
      spmm_row_cached_kernel<G, kV, kS, false, T><<<blocks, kBlock, 0, launch_stream()>>>(
          rows, F, rowptr, col, vals, X, Y, alpha, self_scale, bias, relu, self_dev, self_base,
          part_ptr, long_rows, cap);
      if (part_ptr != nullptr) {
        spmm_row_cached_kernel<G, kV, kS, true, T>
            <<<row_group_blocks(cap, G), kBlock, 0, launch_stream()>>>(
                rows, F, rowptr, col, vals, X, Y, alpha, self_scale, bias, relu, self_dev,
                self_base, part_ptr, long_rows, cap);
      }
    };
    if constexpr (G < kWarp) {
      // F <= G: one scalar slice per lane.
      launch(std::integral_constant<int, 1>{}, std::integral_constant<int, 1>{});
    } else {
      const int V = row_cached_width(F, X, Y);
      // n slices of V features per lane, in the fewest walks of at most 4 slices, each walk as
      // narrow as that allows (n = 5: two walks of S = 3, not 4 + 1; registers are S * V sums).
      const int64_t n = (F + int64_t(G) * V - 1) / (int64_t(G) * V);
      const int64_t walks = (n + 3) / 4;
      const int S = static_cast<int>((n + walks - 1) / walks);
      auto with_slices = [&](auto v) {
        with_constant<1, 2, 3, 4>(S, [&](auto s) { launch(v, s); });
      };
      if constexpr (sizeof(T) == 4) {
        with_constant<1, 2, 4>(V, with_slices);
      } else {
        with_constant<1, 2>(V, with_slices);
      }
    }
  });
  FATHOM_CUDA_LAUNCH_CHECK(name);
}

}  // namespace

template <typename T>
void spmm(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col, const T* vals,
          const T* X, T* Y, T alpha, T self_scale) {
  launch_spmm<T>("spmm", rows, F, rowptr, col, vals, X, Y, alpha, self_scale, nullptr, false);
}

template <typename T>
void spmm_bias_act(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col,
                   const T* vals, const T* X, T* Y, T alpha, T self_scale, const T* bias,
                   bool relu) {
  launch_spmm<T>("spmm_bias_act", rows, F, rowptr, col, vals, X, Y, alpha, self_scale, bias, relu);
}

template <typename T>
void spmm_self_dev(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col,
                   const T* vals, const T* X, T* Y, T alpha, double self_base, const T* s) {
  launch_spmm<T>("spmm_self_dev", rows, F, rowptr, col, vals, X, Y, alpha, T(0), nullptr, false, s,
                 self_base);
}

template <typename T>
void sddmm(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col, const T* A,
           const T* B, T* out) {
  if (rows <= 0) return;
  // F == 0: every dot product is empty; the kernel writes 0 for each stored entry.
  with_group_lanes(F, [&](auto g) {
    constexpr int G = decltype(g)::value;
    sddmm_kernel<G, T><<<row_group_blocks(rows, G), kBlock, 0, launch_stream()>>>(rows, F, rowptr,
                                                                                  col, A, B, out);
  });
  FATHOM_CUDA_LAUNCH_CHECK("sddmm");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_spmm 1
#define FATHOM_FAMILY_sddmm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
