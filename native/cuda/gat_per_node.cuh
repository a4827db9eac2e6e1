// The per-node GAT kernels (GATConv, version 1), included by gat.cu only: see its header for
// when they run and why. Templates and inline helpers, instantiated by gat.cu's launches.
#pragma once
#include <cstdint>
#include <type_traits>

#include "gat_common.cuh"

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

// Forward: the row maximum first, then one walk of the row's edges in CSR order in which every
// lane accumulates its slots' softmax denominators (in the per-head kernel's order, so the
// statistics are bit-identical to it) and weighted messages.
template <typename T, int NS>
__global__ void __launch_bounds__(kBlock)
    node_forward_kernel(NodeDims d, const int32_t* __restrict__ rowptr,
                        const int32_t* __restrict__ col, const int32_t* __restrict__ perm,
                        const T* __restrict__ xs, const T* __restrict__ s_src,
                        const T* __restrict__ s_dst, T slope, DropoutRule host_rule,
                        const double* __restrict__ seed_bits, T keep_scale, T* __restrict__ out,
                        T* __restrict__ stats) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  for (int64_t i = global_thread() / kWarp; i < d.Nt; i += warps) {
    const int32_t k0 = rowptr[i], k1 = rowptr[i + 1];
    T m[NS], sd[NS], s[NS], o[NS];
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

// Backward, target side (target_kernel for version 1): row i's ∂L/∂xt_i = dsum_h a_dst[h] and
// its da_dst terms dsum_h xt_i,h, dsum_h = Σ_j ∂L/∂e_ij,h LeakyReLU'(z_ij,h).
template <typename T, int NS>
__global__ void __launch_bounds__(kBlock)
    node_target_kernel(NodeDims d, const int32_t* __restrict__ rowptr,
                       const int32_t* __restrict__ col, const int32_t* __restrict__ perm,
                       const T* __restrict__ xs, const T* __restrict__ xt,
                       const T* __restrict__ a_dst, const T* __restrict__ s_src,
                       const T* __restrict__ s_dst, T slope, DropoutRule host_rule,
                       const double* __restrict__ seed_bits, T keep_scale,
                       const T* __restrict__ stats, const T* __restrict__ delta,
                       const T* __restrict__ grad, T* __restrict__ dxt, T* __restrict__ contrib) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  for (int64_t i = global_thread() / kWarp; i < d.Nt; i += warps) {
    const int32_t k0 = rowptr[i], k1 = rowptr[i + 1];
    T g[NS], mx[NS], sm[NS], dl[NS], sd[NS], dsum[NS];
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int c = lane + kWarp * t;
      g[t] = mx[t] = sm[t] = dl[t] = sd[t] = dsum[t] = T(0);
      if (c < d.HF) {
        const int64_t ih = i * d.H + (c >> d.log2F);
        g[t] = grad[i * d.HF + c];
        mx[t] = stats[ih];
        sm[t] = stats[d.Nt * d.H + ih];
        dl[t] = delta[ih];
        sd[t] = s_dst[ih];
      }
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
          const T dot = seg_sum(c < d.HF ? g[t] * xs[j * d.HF + c] : T(0), d.F);
          if (c < d.HF) {
            const int64_t h = c >> d.log2F;
            const T z = s_src[j * d.H + h] + sd[t];
            const T alpha = exp(lrelu(z, slope) - mx[t]) / sm[t];
            const T keep = (rule.keep_all || dropout_keep(rule, key * d.H + h)) ? keep_scale : T(0);
            const T de = alpha * (keep * dot - dl[t]);
            dsum[t] += de * lrelu_grad(z, slope);
          }
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

// Backward, source side (source_kernel for version 1) over the transposed CSR's row j:
// ∂L/∂xs_j = Σ_i w_ij g_i + dsum_h a_src[h], and its da_src terms dsum_h xs_j,h. shared
// (dxs == dxt, one tensor): rows j < Nt start from the target kernel's terms.
template <typename T, int NS>
__global__ void __launch_bounds__(kBlock)
    node_source_kernel(NodeDims d, const int32_t* __restrict__ t_rowptr,
                       const int32_t* __restrict__ t_col, const int32_t* __restrict__ t_perm,
                       const T* __restrict__ xs, const T* __restrict__ a_src,
                       const T* __restrict__ s_src, const T* __restrict__ s_dst, T slope,
                       DropoutRule host_rule, const double* __restrict__ seed_bits, T keep_scale,
                       const T* __restrict__ stats, const T* __restrict__ delta,
                       const T* __restrict__ grad, T* dxs, T* __restrict__ contrib, bool shared) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  for (int64_t j = global_thread() / kWarp; j < d.Ns; j += warps) {
    const int32_t k0 = t_rowptr[j], k1 = t_rowptr[j + 1];
    const bool adds_onto = shared && j < d.Nt;
    T u[NS], ss[NS], acc[NS], dsum[NS];
#pragma unroll
    for (int t = 0; t < NS; ++t) {
      const int c = lane + kWarp * t;
      u[t] = ss[t] = acc[t] = dsum[t] = T(0);
      if (c < d.HF) {
        u[t] = xs[j * d.HF + c];
        ss[t] = s_src[j * d.H + (c >> d.log2F)];
        if (adds_onto) acc[t] = dxs[j * d.HF + c];
      }
    }
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
          const T dot = seg_sum(gi * u[t], d.F);
          if (c < d.HF) {
            const int64_t ih = i * d.H + (c >> d.log2F);
            const T z = ss[t] + s_dst[ih];
            const T alpha = exp(lrelu(z, slope) - stats[ih]) / stats[d.Nt * d.H + ih];
            const T keep = (rule.keep_all || dropout_keep(rule, key * d.H + (c >> d.log2F)))
                               ? keep_scale
                               : T(0);
            const T de = alpha * (keep * dot - delta[ih]);
            dsum[t] += de * lrelu_grad(z, slope);
            acc[t] += (alpha * keep) * gi;
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
        contrib[j * d.HF + c] = dsum[t] * u[t];
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
