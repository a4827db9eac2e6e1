// The segment kernels of the per-node GAT kernels' long-row split (row_split.cuh; variants.h:
// FATHOM_CUDA_SPLIT_ROWS), included by gat.cu only. A warp per segment of a long row computes
// the row's partial result over the segment's entries, with the same range walks the row
// kernels use (gat_per_node.cuh), and stores it in the segment's slot of `part`; the row kernel,
// launched after it on the same stream, combines the partials in segment order.
#pragma once
#include <cstdint>

#include "gat_per_node.cuh"
#include "row_split.cuh"

namespace fathom::cuda::gat {

// Forward: segment g's (m, s, o) of its long row, forward_range over the segment's entries.
template <typename T, int NS>
__global__ void __launch_bounds__(kBlock)
    node_forward_segments(NodeDims d, int64_t cap, const int32_t* __restrict__ rowptr,
                          const int32_t* __restrict__ col, const int32_t* __restrict__ perm,
                          const T* __restrict__ xs, const T* __restrict__ s_src,
                          const T* __restrict__ s_dst, T slope, DropoutRule host_rule,
                          const double* __restrict__ seed_bits, T* __restrict__ part) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  const Segments sg = segments(rowptr, d.Nt, cap);
  for (int64_t g = global_thread() / kWarp; g < sg.segs; g += warps) {
    const SegmentWork w = segment_work(sg, rowptr, d.Nt, g);
    if (w.begin == w.end) continue;  // the whole warp: w depends on g alone
    T m[NS], s[NS], o[NS];
    forward_range<T, NS>(d, lane, w.row, static_cast<int32_t>(w.begin), static_cast<int32_t>(w.end),
                         col, perm, xs, s_src, s_dst, slope, rule, m, s, o);
    T* ps = part + g * forward_part_width(d);
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int c = lane + kWarp * t;
      if (c < d.HF) {
        ps[c] = o[t];
        if ((c & (d.F - 1)) == 0) {  // the head's first lane
          ps[d.HF + (c >> d.log2F)] = m[t];
          ps[d.HF + d.H + (c >> d.log2F)] = s[t];
        }
      }
    }
  }
}

// Target pass: segment g's per-head dsum of its long row, target_range over the segment.
template <typename T, int NS>
__global__ void __launch_bounds__(kBlock)
    node_target_segments(NodeDims d, int64_t cap, const int32_t* __restrict__ rowptr,
                         const int32_t* __restrict__ col, const int32_t* __restrict__ perm,
                         const T* __restrict__ xs, const T* __restrict__ s_src,
                         const T* __restrict__ s_dst, T slope, DropoutRule host_rule,
                         const double* __restrict__ seed_bits, T keep_scale,
                         const T* __restrict__ stats, const T* __restrict__ delta,
                         const T* __restrict__ grad, T* __restrict__ part) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  const Segments sg = segments(rowptr, d.Nt, cap);
  for (int64_t g = global_thread() / kWarp; g < sg.segs; g += warps) {
    const SegmentWork w = segment_work(sg, rowptr, d.Nt, g);
    if (w.begin == w.end) continue;
    const TargetRow<T, NS> r = target_row<T, NS>(d, lane, w.row, s_dst, stats, delta, grad);
    T dsum[NS];
#pragma unroll
    for (int t = 0; t < NS; ++t) dsum[t] = T(0);
    target_range<T, NS>(d, lane, w.row, static_cast<int32_t>(w.begin), static_cast<int32_t>(w.end),
                        col, perm, xs, s_src, slope, rule, keep_scale, r, dsum);
    T* ps = part + g * target_part_width(d);
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int c = lane + kWarp * t;
      if (c < d.HF && (c & (d.F - 1)) == 0) ps[c >> d.log2F] = dsum[t];
    }
  }
}

// Source pass: segment g's message gradients and per-head dsum of its long transposed row,
// source_range over the segment, both from zero.
template <typename T, int NS>
__global__ void __launch_bounds__(kBlock)
    node_source_segments(NodeDims d, int64_t cap, const int32_t* __restrict__ t_rowptr,
                         const int32_t* __restrict__ t_col, const int32_t* __restrict__ t_perm,
                         const T* __restrict__ xs, const T* __restrict__ s_src,
                         const T* __restrict__ s_dst, T slope, DropoutRule host_rule,
                         const double* __restrict__ seed_bits, T keep_scale,
                         const T* __restrict__ stats, const T* __restrict__ delta,
                         const T* __restrict__ grad, T* __restrict__ part) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  const Segments sg = segments(t_rowptr, d.Ns, cap);
  for (int64_t g = global_thread() / kWarp; g < sg.segs; g += warps) {
    const SegmentWork w = segment_work(sg, t_rowptr, d.Ns, g);
    if (w.begin == w.end) continue;
    T acc[NS], dsum[NS];
    const SourceRow<T, NS> r = source_row<T, NS>(d, lane, w.row, xs, s_src, nullptr, acc, dsum);
    source_range<T, NS>(d, lane, static_cast<int32_t>(w.begin), static_cast<int32_t>(w.end), t_col,
                        t_perm, s_dst, slope, rule, keep_scale, stats, delta, grad, r, acc, dsum);
    T* ps = part + g * source_part_width(d);
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int c = lane + kWarp * t;
      if (c < d.HF) {
        ps[c] = acc[t];
        if ((c & (d.F - 1)) == 0) ps[d.HF + (c >> d.log2F)] = dsum[t];
      }
    }
  }
}

}  // namespace fathom::cuda::gat
