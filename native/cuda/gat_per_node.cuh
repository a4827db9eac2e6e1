// The per-node GAT kernels (GATConv, version 1), included by gat.cu only: see its header for
// when they run and why. Templates and inline helpers, instantiated by gat.cu's launches.
#pragma once
#include <cstdint>
#include <type_traits>

#include "gat_common.cuh"
#include "row_split.cuh"

namespace fathom::cuda::gat {

// ---- Per-node kernels (GATConv, version 1; gat_kernel() == GatKernel::kPerNode) ---------------
// One warp per CSR row (a target in the forward and the target pass, a source in the source
// pass). Lane l owns the row's outputs c = l + 32t, t < NS (H*F <= 32*NS): output c belongs to
// head c / F, and since F is a power of two <= 32, the F lanes of an aligned group hold one head
// of one slot, so a per-head dot product is a butterfly over that group (seg_sum). Every lane
// takes part in every shuffle (trip counts depend on the row and the shape alone); lanes with
// c >= H*F load nothing and store nothing.

constexpr unsigned kFullMask = 0xffffffffu;

// The per-node path's shape: log2 F, H*F and the lanes per edge group of the row maximum.
struct NodeDims {
  int64_t Nt, Ns, H;
  int F, log2F, HF;
  int hg;  // min(next power of two >= H, 32): lanes sharing one edge in row_max
};

// Elements of one slot of a split launch's partials (gat_split.cuh): the forward's messages (H*F)
// then its per-head maxima and denominators (H each); the target pass's per-head dsum (H); the
// source pass's message gradients (H*F) then its per-head dsum (H).
__host__ __device__ __forceinline__ int64_t forward_part_width(const NodeDims& d) {
  return d.HF + 2 * d.H;
}
__host__ __device__ __forceinline__ int64_t target_part_width(const NodeDims& d) { return d.H; }
__host__ __device__ __forceinline__ int64_t source_part_width(const NodeDims& d) {
  return d.HF + d.H;
}

// Sum over the aligned group of F lanes (F a power of two <= 32) holding this lane; fixed
// butterfly, so every lane of the group gets the identical total (the per-head kernel's
// warp_sum adds the same terms in the same tree: its extra levels add zeros).
template <typename T>
__device__ __forceinline__ T seg_sum(T v, int F) {
  for (int o = F >> 1; o > 0; o >>= 1) v += __shfl_xor_sync(kFullMask, v, o);
  return v;
}

// The dropout counter of an entry whose perm value is pk (edge_key's rule).
__device__ __forceinline__ uint64_t key_of(int32_t pk, int64_t target) {
  return pk >= 0 ? static_cast<uint64_t>(pk) : (uint64_t{1} << 31) + static_cast<uint64_t>(target);
}

// Lane l's share of the CSR entries [kb, kb + 32) that exist (kb + l < k1; int64, so no entry
// count near 2^31 overflows): the column and, when
// dropout may drop, the perm value. The walks read them from the owning lane with shuffles.
__device__ __forceinline__ void load_chunk(int lane, int64_t kb, int64_t k1,
                                           const int32_t* __restrict__ col,
                                           const int32_t* __restrict__ perm, bool need_perm,
                                           int32_t* jl, int32_t* pl) {
  *jl = 0;
  *pl = 0;
  if (kb + lane < k1) {
    *jl = col[kb + lane];
    if (need_perm) *pl = perm[kb + lane];
  }
}

// The row maximum of e_ik,h = LeakyReLU(s_src[col_k, h] + s_dst[i, h]) over k in [k0, k1), per
// head, delivered to each lane's slots (m[t] for head (lane + 32t) / F; -inf for an empty row).
// The lanes split as hg heads x 32/hg edge strides (blocks of 32 heads when H > 32), so all
// heads of up to 32/hg edges are read at once; a fixed fmax butterfly over the lanes of one
// head combines the strides. The maximum is exact, so it equals the per-head kernel's.
template <typename T, int NS>
__device__ __forceinline__ void row_max(const NodeDims& d, int lane, int64_t i, int32_t k0,
                                        int32_t k1, const int32_t* __restrict__ col,
                                        const T* __restrict__ s_src, const T* __restrict__ s_dst,
                                        T slope, T (&m)[NS]) {
  const int hl = lane & (d.hg - 1), stride = kWarp / d.hg;
#pragma unroll
  for (int t = 0; t < NS; ++t) m[t] = -INFINITY;
  for (int64_t hb = 0; hb < d.H; hb += d.hg) {
    const int64_t h = hb + hl;
    T mx = -INFINITY;
    if (h < d.H) {
      const T sd = s_dst[i * d.H + h];
      for (int64_t k = int64_t{k0} + lane / d.hg; k < k1; k += stride) {
        mx = fmax(mx, lrelu(s_src[static_cast<int64_t>(col[k]) * d.H + h] + sd, slope));
      }
    }
    for (int o = d.hg; o < kWarp; o <<= 1) {
      mx = fmax(mx, __shfl_xor_sync(kFullMask, mx, o));
    }
    // Every lane now holds head hb + (lane & (hg - 1))'s maximum; slot t fetches its head's.
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int hc = (lane + kWarp * t) >> d.log2F;
      const T v = __shfl_sync(kFullMask, mx, hc & (d.hg - 1));
      if (lane + kWarp * t < d.HF && hc >= hb && hc < hb + d.hg) m[t] = v;
    }
  }
}

// The entries a row's own warp walks and the segment partials it combines (row_split.cuh): the
// whole row, or, for a long row of a split launch, its head [k0, head_end) and the partials of
// segments first..last in order (none when last < first).
struct RowParts {
  int32_t head_end;
  int64_t first, last;
};

template <bool kSplit>
__device__ __forceinline__ RowParts row_parts(const Segments& sg, int32_t k0, int32_t k1) {
  if constexpr (kSplit) {
    if (sg.is_long(int64_t{k1} - k0)) {
      const int64_t first = sg.first_segment(k0);
      return {static_cast<int32_t>(first * sg.len), first, (int64_t{k1} - 1) / sg.len};
    }
  }
  return {k1, 0, -1};
}

// The segment geometry of a split launch over `rows` rows of rowptr; unused without splitting.
template <bool kSplit>
__device__ __forceinline__ Segments row_segments(const int32_t* __restrict__ rowptr, int64_t rows,
                                                 int64_t cap) {
  if constexpr (kSplit) return segments(rowptr, rows, cap);
  return {1, 0};
}

// Row i's softmax over its entries [k0, k1), per head: the exact maximum m of the logits (row_max),
// the denominator s = Σ exp(e − m) and the slots' unnormalized messages o = Σ exp(e − m) x_j
// (dropped edges left out), in CSR order: the denominators in the per-head kernel's order, so a
// whole row's statistics are bit-identical to it.
template <typename T, int NS>
__device__ __forceinline__ void forward_range(const NodeDims& d, int lane, int64_t i, int32_t k0,
                                              int32_t k1, const int32_t* __restrict__ col,
                                              const int32_t* __restrict__ perm,
                                              const T* __restrict__ xs, const T* __restrict__ s_src,
                                              const T* __restrict__ s_dst, T slope,
                                              const DropoutRule& rule, T (&m)[NS], T (&s)[NS],
                                              T (&o)[NS]) {
  T sd[NS];
  row_max<T, NS>(d, lane, i, k0, k1, col, s_src, s_dst, slope, m);
#pragma unroll
  for (int t = 0; t < NS; ++t) {
    const int c = lane + kWarp * t;
    sd[t] = c < d.HF ? s_dst[i * d.H + (c >> d.log2F)] : T(0);
    s[t] = o[t] = T(0);
  }
  for (int64_t kb = k0; kb < k1; kb += kWarp) {
    int32_t jl, pl;
    load_chunk(lane, kb, k1, col, perm, !rule.keep_all, &jl, &pl);
    const int n = k1 - kb < kWarp ? static_cast<int>(k1 - kb) : kWarp;
    // Unrolled so that the gathers of several edges are in flight at once.
#pragma unroll 4
    for (int e = 0; e < n; ++e) {
      const int64_t j = __shfl_sync(kFullMask, jl, e);
      const uint64_t key = key_of(__shfl_sync(kFullMask, pl, e), i);
#pragma unroll
      for (int t = 0; t < NS; ++t) {
        const int c = lane + kWarp * t;
        if (c < d.HF) {
          const int64_t h = c >> d.log2F;
          const T p = exp(lrelu(s_src[j * d.H + h] + sd[t], slope) - m[t]);
          s[t] += p;
          if (rule.keep_all || dropout_keep(rule, key * d.H + h)) {
            o[t] += p * xs[j * d.HF + c];
          }
        }
      }
    }
  }
}

// (m, s, o) of entries A followed by those of B, B's (ms, ss, os), as flash attention merges
// them: both rescaled to the larger maximum. A with no entries (an empty head: m = −inf, s = 0)
// takes B's values as they are: the rescaling would give the same bits for a finite ms, and NaN
// from exp(−inf − −inf) for ms = −inf.
template <typename T>
__device__ __forceinline__ void merge_softmax(T& m, T& s, T& o, T ms, T ss, T os) {
  if (m == -INFINITY) {
    m = ms;
    s = ss;
    o = os;
    return;
  }
  const T mn = fmax(m, ms);
  const T a = exp(m - mn), b = exp(ms - mn);
  s = s * a + ss * b;
  o = o * a + os * b;
  m = mn;
}

// Forward: per row, the softmax over its entries (forward_range), for a long row of a split
// launch over its head merged in order with the partials of its segments (node_forward_segments,
// gat_split.cuh: part's slots of forward_part_width); then out = o keep/(1−p)/s and the stats.
template <typename T, int NS, bool kSplit>
__global__ void __launch_bounds__(kBlock)
    node_forward_kernel(NodeDims d, int64_t cap, const T* __restrict__ part,
                        const int32_t* __restrict__ rowptr, const int32_t* __restrict__ col,
                        const int32_t* __restrict__ perm, const T* __restrict__ xs,
                        const T* __restrict__ s_src, const T* __restrict__ s_dst, T slope,
                        DropoutRule host_rule, const double* __restrict__ seed_bits, T keep_scale,
                        T* __restrict__ out, T* __restrict__ stats) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  const Segments sg = row_segments<kSplit>(rowptr, d.Nt, cap);
  for (int64_t i = global_thread() / kWarp; i < d.Nt; i += warps) {
    const int32_t k0 = rowptr[i], k1 = rowptr[i + 1];
    const RowParts rp = row_parts<kSplit>(sg, k0, k1);
    T m[NS], s[NS], o[NS];
    forward_range<T, NS>(d, lane, i, k0, rp.head_end, col, perm, xs, s_src, s_dst, slope, rule, m,
                         s, o);
    if constexpr (kSplit) {
      for (int64_t g = rp.first; g <= rp.last; ++g) {
        const T* ps = part + g * forward_part_width(d);
#pragma unroll
        for (int t = 0; t < NS; ++t) {
          const int c = lane + kWarp * t;
          if (c < d.HF) {
            const int64_t h = c >> d.log2F;
            merge_softmax(m[t], s[t], o[t], ps[d.HF + h], ps[d.HF + d.H + h], ps[c]);
          }
        }
      }
    }
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int c = lane + kWarp * t;
      if (c < d.HF) {
        const int64_t ih = i * d.H + (c >> d.log2F);
        const T inv = s[t] > T(0) ? keep_scale / s[t] : T(0);
        out[i * d.HF + c] = o[t] * inv;
        if ((c & (d.F - 1)) == 0) {  // the head's first lane
          stats[ih] = s[t] > T(0) ? m[t] : T(0);
          stats[d.Nt * d.H + ih] = s[t];
        }
      }
    }
  }
}

// What the target pass needs of row i in its slots: the incoming gradient, the forward's stats,
// delta and s_dst of the slot's head.
template <typename T, int NS>
struct TargetRow {
  T g[NS], mx[NS], sm[NS], dl[NS], sd[NS];
};

template <typename T, int NS>
__device__ __forceinline__ TargetRow<T, NS> target_row(const NodeDims& d, int lane, int64_t i,
                                                       const T* __restrict__ s_dst,
                                                       const T* __restrict__ stats,
                                                       const T* __restrict__ delta,
                                                       const T* __restrict__ grad) {
  TargetRow<T, NS> r;
#pragma unroll
  for (int t = 0; t < NS; ++t) {
    const int c = lane + kWarp * t;
    r.g[t] = r.mx[t] = r.sm[t] = r.dl[t] = r.sd[t] = T(0);
    if (c < d.HF) {
      const int64_t ih = i * d.H + (c >> d.log2F);
      r.g[t] = grad[i * d.HF + c];
      r.mx[t] = stats[ih];
      r.sm[t] = stats[d.Nt * d.H + ih];
      r.dl[t] = delta[ih];
      r.sd[t] = s_dst[ih];
    }
  }
  return r;
}

// Adds to dsum the target pass's terms ∂L/∂e_ij,h LeakyReLU'(z_ij,h) of row i's entries
// [k0, k1), in CSR order.
template <typename T, int NS>
__device__ __forceinline__ void target_range(const NodeDims& d, int lane, int64_t i, int32_t k0,
                                             int32_t k1, const int32_t* __restrict__ col,
                                             const int32_t* __restrict__ perm,
                                             const T* __restrict__ xs, const T* __restrict__ s_src,
                                             T slope, const DropoutRule& rule, T keep_scale,
                                             const TargetRow<T, NS>& r, T (&dsum)[NS]) {
  for (int64_t kb = k0; kb < k1; kb += kWarp) {
    int32_t jl, pl;
    load_chunk(lane, kb, k1, col, perm, !rule.keep_all, &jl, &pl);
    const int n = k1 - kb < kWarp ? static_cast<int>(k1 - kb) : kWarp;
    // Unrolled so that the gathers of several edges are in flight at once.
#pragma unroll 4
    for (int e = 0; e < n; ++e) {
      const int64_t j = __shfl_sync(kFullMask, jl, e);
      const uint64_t key = key_of(__shfl_sync(kFullMask, pl, e), i);
#pragma unroll
      for (int t = 0; t < NS; ++t) {
        const int c = lane + kWarp * t;
        const T dot = seg_sum(c < d.HF ? r.g[t] * xs[j * d.HF + c] : T(0), d.F);
        if (c < d.HF) {
          const int64_t h = c >> d.log2F;
          const T z = s_src[j * d.H + h] + r.sd[t];
          const T alpha = exp(lrelu(z, slope) - r.mx[t]) / r.sm[t];
          const T keep = (rule.keep_all || dropout_keep(rule, key * d.H + h)) ? keep_scale : T(0);
          const T de = alpha * (keep * dot - r.dl[t]);
          dsum[t] += de * lrelu_grad(z, slope);
        }
      }
    }
  }
}

// Backward, target side (target_kernel for version 1): row i's ∂L/∂xt_i = dsum_h a_dst[h] and
// its da_dst terms dsum_h xt_i,h, dsum_h = Σ_j ∂L/∂e_ij,h LeakyReLU'(z_ij,h); for a long row of a
// split launch the head's sum plus the segments' (node_target_segments: part's slots of H).
template <typename T, int NS, bool kSplit>
__global__ void __launch_bounds__(kBlock)
    node_target_kernel(NodeDims d, int64_t cap, const T* __restrict__ part,
                       const int32_t* __restrict__ rowptr, const int32_t* __restrict__ col,
                       const int32_t* __restrict__ perm, const T* __restrict__ xs,
                       const T* __restrict__ xt, const T* __restrict__ a_dst,
                       const T* __restrict__ s_src, const T* __restrict__ s_dst, T slope,
                       DropoutRule host_rule, const double* __restrict__ seed_bits, T keep_scale,
                       const T* __restrict__ stats, const T* __restrict__ delta,
                       const T* __restrict__ grad, T* __restrict__ dxt, T* __restrict__ contrib) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  const Segments sg = row_segments<kSplit>(rowptr, d.Nt, cap);
  for (int64_t i = global_thread() / kWarp; i < d.Nt; i += warps) {
    const int32_t k0 = rowptr[i], k1 = rowptr[i + 1];
    const RowParts rp = row_parts<kSplit>(sg, k0, k1);
    const TargetRow<T, NS> r = target_row<T, NS>(d, lane, i, s_dst, stats, delta, grad);
    T dsum[NS];
#pragma unroll
    for (int t = 0; t < NS; ++t) dsum[t] = T(0);
    target_range<T, NS>(d, lane, i, k0, rp.head_end, col, perm, xs, s_src, slope, rule, keep_scale,
                        r, dsum);
    if constexpr (kSplit) {
      for (int64_t g = rp.first; g <= rp.last; ++g) {
#pragma unroll
        for (int t = 0; t < NS; ++t) {
          const int c = lane + kWarp * t;
          if (c < d.HF) dsum[t] += part[g * target_part_width(d) + (c >> d.log2F)];
        }
      }
    }
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int c = lane + kWarp * t;
      if (c < d.HF) {
        dxt[i * d.HF + c] = dsum[t] * a_dst[c];
        contrib[i * d.HF + c] = dsum[t] * xt[i * d.HF + c];
      }
    }
  }
}

// What the source pass needs of source j in its slots: xs_j and s_src of the slot's head; and
// the start of its sums, acc from row j of `start` when given (else zeros) and dsum zeros.
template <typename T, int NS>
struct SourceRow {
  T u[NS], ss[NS];
};

template <typename T, int NS>
__device__ __forceinline__ SourceRow<T, NS> source_row(const NodeDims& d, int lane, int64_t j,
                                                       const T* __restrict__ xs,
                                                       const T* __restrict__ s_src, const T* start,
                                                       T (&acc)[NS], T (&dsum)[NS]) {
  SourceRow<T, NS> r;
#pragma unroll
  for (int t = 0; t < NS; ++t) {
    const int c = lane + kWarp * t;
    r.u[t] = r.ss[t] = acc[t] = dsum[t] = T(0);
    if (c < d.HF) {
      r.u[t] = xs[j * d.HF + c];
      r.ss[t] = s_src[j * d.H + (c >> d.log2F)];
      if (start != nullptr) acc[t] = start[j * d.HF + c];
    }
  }
  return r;
}

// Adds to acc the messages' gradients w_ij g_i and to dsum the terms ∂L/∂e_ij,h LeakyReLU'(z_ij,h)
// of the transposed row j's entries [k0, k1), in CSR order.
template <typename T, int NS>
__device__ __forceinline__ void source_range(
    const NodeDims& d, int lane, int32_t k0, int32_t k1, const int32_t* __restrict__ t_col,
    const int32_t* __restrict__ t_perm, const T* __restrict__ s_dst, T slope,
    const DropoutRule& rule, T keep_scale, const T* __restrict__ stats, const T* __restrict__ delta,
    const T* __restrict__ grad, const SourceRow<T, NS>& r, T (&acc)[NS], T (&dsum)[NS]) {
  for (int64_t kb = k0; kb < k1; kb += kWarp) {
    int32_t il, pl;
    load_chunk(lane, kb, k1, t_col, t_perm, !rule.keep_all, &il, &pl);
    const int n = k1 - kb < kWarp ? static_cast<int>(k1 - kb) : kWarp;
    // Unrolled so that the gathers of several edges are in flight at once.
#pragma unroll 4
    for (int e = 0; e < n; ++e) {
      const int64_t i = __shfl_sync(kFullMask, il, e);
      const uint64_t key = key_of(__shfl_sync(kFullMask, pl, e), i);
#pragma unroll
      for (int t = 0; t < NS; ++t) {
        const int c = lane + kWarp * t;
        const T gi = c < d.HF ? grad[i * d.HF + c] : T(0);
        const T dot = seg_sum(gi * r.u[t], d.F);
        if (c < d.HF) {
          const int64_t ih = i * d.H + (c >> d.log2F);
          const T z = r.ss[t] + s_dst[ih];
          const T alpha = exp(lrelu(z, slope) - stats[ih]) / stats[d.Nt * d.H + ih];
          const T keep =
              (rule.keep_all || dropout_keep(rule, key * d.H + (c >> d.log2F))) ? keep_scale : T(0);
          const T de = alpha * (keep * dot - delta[ih]);
          dsum[t] += de * lrelu_grad(z, slope);
          acc[t] += (alpha * keep) * gi;
        }
      }
    }
  }
}

// Backward, source side (source_kernel for version 1) over the transposed CSR's row j:
// ∂L/∂xs_j = Σ_i w_ij g_i + dsum_h a_src[h], and its da_src terms dsum_h xs_j,h. shared
// (dxs == dxt, one tensor): rows j < Nt start from the target kernel's terms. A long row of a
// split launch adds, after its head, the segments' sums (node_source_segments: part's slots of
// source_part_width) in order.
template <typename T, int NS, bool kSplit>
__global__ void __launch_bounds__(kBlock)
    node_source_kernel(NodeDims d, int64_t cap, const T* __restrict__ part,
                       const int32_t* __restrict__ t_rowptr, const int32_t* __restrict__ t_col,
                       const int32_t* __restrict__ t_perm, const T* __restrict__ xs,
                       const T* __restrict__ a_src, const T* __restrict__ s_src,
                       const T* __restrict__ s_dst, T slope, DropoutRule host_rule,
                       const double* __restrict__ seed_bits, T keep_scale,
                       const T* __restrict__ stats, const T* __restrict__ delta,
                       const T* __restrict__ grad, T* dxs, T* __restrict__ contrib, bool shared) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  const Segments sg = row_segments<kSplit>(t_rowptr, d.Ns, cap);
  for (int64_t j = global_thread() / kWarp; j < d.Ns; j += warps) {
    const int32_t k0 = t_rowptr[j], k1 = t_rowptr[j + 1];
    const RowParts rp = row_parts<kSplit>(sg, k0, k1);
    T acc[NS], dsum[NS];
    const SourceRow<T, NS> r =
        source_row<T, NS>(d, lane, j, xs, s_src, shared && j < d.Nt ? dxs : nullptr, acc, dsum);
    source_range<T, NS>(d, lane, k0, rp.head_end, t_col, t_perm, s_dst, slope, rule, keep_scale,
                        stats, delta, grad, r, acc, dsum);
    if constexpr (kSplit) {
      for (int64_t g = rp.first; g <= rp.last; ++g) {
        const T* ps = part + g * source_part_width(d);
#pragma unroll
        for (int t = 0; t < NS; ++t) {
          const int c = lane + kWarp * t;
          if (c < d.HF) {
            acc[t] += ps[c];
            dsum[t] += ps[d.HF + (c >> d.log2F)];
          }
        }
      }
    }
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int c = lane + kWarp * t;
      if (c < d.HF) {
        acc[t] += dsum[t] * a_src[c];
        dxs[j * d.HF + c] = acc[t];
        contrib[j * d.HF + c] = dsum[t] * r.u[t];
      }
    }
  }
}

inline NodeDims node_dims(int64_t Nt, int64_t Ns, int64_t H, int64_t F) {
  NodeDims d{Nt, Ns, H, static_cast<int>(F), 0, static_cast<int>(H * F), 1};
  while ((1 << d.log2F) < d.F) ++d.log2F;
  while (d.hg < kWarp && d.hg < H) d.hg <<= 1;
  return d;
}

// Calls f(std::integral_constant<int, NS>{}) with NS the slots a lane needs for H*F outputs,
// rounded up to a power of two (1, 2, 4 or 8: four instantiations per kernel, not eight).
template <typename Fn>
inline void with_slots(int HF, Fn&& f) {
  const int slots = (HF + kWarp - 1) / kWarp;
  if (slots <= 1) {
    f(std::integral_constant<int, 1>{});
  } else if (slots <= 2) {
    f(std::integral_constant<int, 2>{});
  } else if (slots <= 4) {
    f(std::integral_constant<int, 4>{});
  } else {
    f(std::integral_constant<int, 8>{});
  }
}

}  // namespace fathom::cuda::gat
