// GAT attention on the GPU (docs/methods.md §2.2), the twin of cpu/gat_attention.cc. Two kernel
// sets, chosen per call (variants.h); both write every output element from one lane in CSR
// order, so results are deterministic without atomics, and nothing of size E×H×F is stored.
//
// Per head (the default; every version and shape): one warp serves one (node, head) pair, the
// lanes split the F channels and a fixed shuffle tree combines per-edge dot products. The forward
// walks a row twice (max and sum, then the weighted aggregation with known max and sum) instead
// of rescaling running sums. The backward recomputes α from the per-node statistics.
//
// Per node (GatKernel::kPerNode, FATHOM_CUDA_GAT=per-node; GATConv version 1 with F a power of
// two <= 32 and H*F <= 256, else per head): one warp serves one row for all heads, lane l owning
// outputs c = l + 32t (t < NS, NS = 1, 2, 4, 8 slots in registers), c in head c / F.
//   forward: the row maximum per head with the lanes over (edge, head) pairs, combined by a fixed
//     fmax butterfly; then one walk of the row in CSR order, each lane adding its slots' softmax
//     denominator terms and weighted messages (edge id and column read once per 32 edges by the
//     lane that owns them, passed on by shuffles); out = o * keep/(1−p)/s; stats as per head.
//   backward: the target pass over the CSR rows, the source pass over the transposed rows, each
//     a warp per row with the per-head dot products g·x as butterflies over the head's F lanes.
// Same formulas, and every sum in the per-head kernels' order (the denominators and messages
// in CSR order, each dot product's tree restricted to its F lanes: per head, the levels above F
// add zeros), so the two agree up to floating-point contraction.
// Why faster at 8 heads x 8 channels: all 32 lanes busy instead of 8, each edge's column, id and
// dropout key read once per pass for all heads instead of once per head, a gathered row's H*F
// features loaded by one warp in one coalesced request per slot instead of by H warps, and 3
// shuffle levels per edge and head in the backward instead of 5 (with 8x fewer warps).
#include <cstdint>
#include <type_traits>

#include "../core/counter_rng.h"
#include "common.cuh"
#include "variants.h"

namespace fathom::cuda {
namespace {

using namespace detail;

template <typename T>
__device__ __forceinline__ T lrelu(T z, T slope) {
  return z > T(0) ? z : slope * z;
}

template <typename T>
__device__ __forceinline__ T lrelu_grad(T z, T slope) {
  return z > T(0) ? T(1) : slope;
}

__device__ __forceinline__ uint64_t edge_key(const int32_t* perm, int32_t k, int64_t target) {
  return perm[k] >= 0 ? static_cast<uint64_t>(perm[k])
                      : (uint64_t{1} << 31) + static_cast<uint64_t>(target);
}

// The rule a kernel uses: the host's, re-keyed with the seed read on the device when seed_bits
// is given (gat_forward_dev / gat_backward_dev: a captured graph's per-step scalar).
__device__ __forceinline__ DropoutRule rekeyed(DropoutRule rule, const double* seed_bits) {
  if (seed_bits != nullptr) set_dropout_seed(rule, *reinterpret_cast<const uint64_t*>(seed_bits));
  return rule;
}

struct Dims {
  int version;
  int64_t Nt, Ns, H, F;  // targets (CSR rows, rows of out) and sources (CSR columns, rows of xs)
};

// e_ij for head h; every lane of the warp gets the same value.
template <typename T>
__device__ __forceinline__ T logit(const Dims& d, int lane, int64_t i, int64_t j, int64_t h,
                                   const T* xs, const T* xt, const T* a, const T* s_src,
                                   const T* s_dst, T slope) {
  if (d.version == 1) return lrelu(s_src[j * d.H + h] + s_dst[i * d.H + h], slope);
  const T* u = xs + (j * d.H + h) * d.F;
  const T* v = xt + (i * d.H + h) * d.F;
  const T* w = a + h * d.F;
  T e = T(0);
  for (int64_t f = lane; f < d.F; f += kWarp) e += w[f] * lrelu(u[f] + v[f], slope);
  return warp_sum(e);
}

// d[n, h] = x[n, h]·y[n, h] (y_per_node) or x[n, h]·y[h] (an attention vector), n < rows.
template <typename T>
__global__ void __launch_bounds__(kBlock)
    dots_kernel(Dims d, int64_t rows, const T* __restrict__ x, const T* __restrict__ y,
                bool y_per_node, T* __restrict__ out) {
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  for (int64_t w = global_thread() / kWarp; w < rows * d.H; w += warps) {
    const int64_t h = w % d.H;
    const T* a = x + w * d.F;
    const T* b = y_per_node ? y + w * d.F : y + h * d.F;
    T acc = T(0);
    for (int64_t f = lane; f < d.F; f += kWarp) acc += a[f] * b[f];
    acc = warp_sum(acc);
    if (lane == 0) out[w] = acc;
  }
}

template <typename T>
__global__ void __launch_bounds__(kBlock)
    forward_kernel(Dims d, const int32_t* __restrict__ rowptr, const int32_t* __restrict__ col,
                   const int32_t* __restrict__ perm, const T* __restrict__ xs,
                   const T* __restrict__ xt, const T* __restrict__ a, const T* __restrict__ s_src,
                   const T* __restrict__ s_dst, T slope, DropoutRule host_rule,
                   const double* __restrict__ seed_bits, T keep_scale, T* __restrict__ out,
                   T* __restrict__ stats) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  for (int64_t w = global_thread() / kWarp; w < d.Nt * d.H; w += warps) {
    const int64_t i = w / d.H, h = w % d.H;
    T m = -INFINITY;
    for (int32_t k = rowptr[i]; k < rowptr[i + 1]; ++k) {
      m = fmax(m, logit(d, lane, i, col[k], h, xs, xt, a, s_src, s_dst, slope));
    }
    T s = T(0);
    T* o = out + w * d.F;
    for (int64_t f = lane; f < d.F; f += kWarp) o[f] = T(0);
    for (int32_t k = rowptr[i]; k < rowptr[i + 1]; ++k) {
      const int64_t j = col[k];
      const T p = exp(logit(d, lane, i, j, h, xs, xt, a, s_src, s_dst, slope) - m);
      s += p;
      if (dropout_keep(rule, edge_key(perm, k, i) * d.H + h)) {
        const T* x = xs + (j * d.H + h) * d.F;
        for (int64_t f = lane; f < d.F; f += kWarp) o[f] += p * x[f];
      }
    }
    const T inv = s > T(0) ? keep_scale / s : T(0);
    for (int64_t f = lane; f < d.F; f += kWarp) o[f] *= inv;
    if (lane == 0) {
      stats[w] = s > T(0) ? m : T(0);
      stats[d.Nt * d.H + w] = s;
    }
  }
}

// ∂L/∂e_ij and the aggregation weight w = α_ij·keep/(1−p); identical in every lane.
template <typename T>
__device__ __forceinline__ T edge_grad(const Dims& d, int lane, int64_t i, int64_t j, int64_t h,
                                       uint64_t key, const T* xs, const T* xt, const T* a,
                                       const T* s_src, const T* s_dst, T slope,
                                       const DropoutRule& rule, T keep_scale, const T* stats,
                                       const T* delta, const T* grad, T* w) {
  const int64_t ih = i * d.H + h;
  const T alpha = exp(logit(d, lane, i, j, h, xs, xt, a, s_src, s_dst, slope) - stats[ih]) /
                  stats[d.Nt * d.H + ih];
  const T keep = dropout_keep(rule, key * d.H + h) ? keep_scale : T(0);
  *w = alpha * keep;
  const T* g = grad + ih * d.F;
  const T* x = xs + (j * d.H + h) * d.F;
  T dot = T(0);
  for (int64_t f = lane; f < d.F; f += kWarp) dot += g[f] * x[f];
  dot = warp_sum(dot);
  return alpha * (keep * dot - delta[ih]);
}

template <typename T>
__global__ void __launch_bounds__(kBlock)
    target_kernel(Dims d, const int32_t* __restrict__ rowptr, const int32_t* __restrict__ col,
                  const int32_t* __restrict__ perm, const T* __restrict__ xs,
                  const T* __restrict__ xt, const T* __restrict__ a, const T* __restrict__ a_dst,
                  const T* __restrict__ s_src, const T* __restrict__ s_dst, T slope,
                  DropoutRule host_rule, const double* __restrict__ seed_bits, T keep_scale,
                  const T* __restrict__ stats, const T* __restrict__ delta,
                  const T* __restrict__ grad, T* __restrict__ dxt, T* __restrict__ contrib) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  for (int64_t w = global_thread() / kWarp; w < d.Nt * d.H; w += warps) {
    const int64_t i = w / d.H, h = w % d.H;
    T* gt = dxt + w * d.F;
    T* c = contrib + w * d.F;
    const T* v = xt + w * d.F;
    for (int64_t f = lane; f < d.F; f += kWarp) gt[f] = c[f] = T(0);
    T dsum = T(0);
    for (int32_t k = rowptr[i]; k < rowptr[i + 1]; ++k) {
      const int64_t j = col[k];
      T wt;
      const T de = edge_grad(d, lane, i, j, h, edge_key(perm, k, i), xs, xt, a, s_src, s_dst, slope,
                             rule, keep_scale, stats, delta, grad, &wt);
      if (d.version == 1) {
        dsum += de * lrelu_grad(s_src[j * d.H + h] + s_dst[w], slope);
      } else {
        const T* u = xs + (j * d.H + h) * d.F;
        for (int64_t f = lane; f < d.F; f += kWarp) {
          const T z = u[f] + v[f];
          gt[f] += de * a[h * d.F + f] * lrelu_grad(z, slope);
          c[f] += de * lrelu(z, slope);
        }
      }
    }
    if (d.version == 1) {
      for (int64_t f = lane; f < d.F; f += kWarp) {
        gt[f] = dsum * a_dst[h * d.F + f];
        c[f] = dsum * v[f];
      }
    }
  }
}

template <typename T>
__global__ void __launch_bounds__(kBlock)
    source_kernel(Dims d, const int32_t* __restrict__ t_rowptr, const int32_t* __restrict__ t_col,
                  const int32_t* __restrict__ t_perm, const T* __restrict__ xs,
                  const T* __restrict__ xt, const T* __restrict__ a, const T* __restrict__ s_src,
                  const T* __restrict__ s_dst, T slope, DropoutRule host_rule,
                  const double* __restrict__ seed_bits, T keep_scale, const T* __restrict__ stats,
                  const T* __restrict__ delta, const T* __restrict__ grad, T* dxs,
                  T* __restrict__ contrib, bool shared) {
  const DropoutRule rule = rekeyed(host_rule, seed_bits);
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = grid_threads() / kWarp;
  for (int64_t w = global_thread() / kWarp; w < d.Ns * d.H; w += warps) {
    const int64_t j = w / d.H, h = w % d.H;
    T* gs = dxs + w * d.F;
    const T* u = xs + w * d.F;
    // shared: dxs is dxt (xs and xt are one tensor), whose first Nt rows hold the target
    // kernel's terms.
    if (!(shared && j < d.Nt))
      for (int64_t f = lane; f < d.F; f += kWarp) gs[f] = T(0);
    T dsum = T(0);
    for (int32_t k = t_rowptr[j]; k < t_rowptr[j + 1]; ++k) {
      const int64_t i = t_col[k];
      T wt;
      const T de = edge_grad(d, lane, i, j, h, edge_key(t_perm, k, i), xs, xt, a, s_src, s_dst,
                             slope, rule, keep_scale, stats, delta, grad, &wt);
      const T* g = grad + (i * d.H + h) * d.F;
      if (d.version == 1) {
        dsum += de * lrelu_grad(s_src[w] + s_dst[i * d.H + h], slope);
        for (int64_t f = lane; f < d.F; f += kWarp) gs[f] += wt * g[f];
      } else {
        const T* v = xt + (i * d.H + h) * d.F;
        for (int64_t f = lane; f < d.F; f += kWarp) {
          gs[f] += wt * g[f] + de * a[h * d.F + f] * lrelu_grad(u[f] + v[f], slope);
        }
      }
    }
    if (d.version == 1) {
      T* c = contrib + w * d.F;
      for (int64_t f = lane; f < d.F; f += kWarp) {
        gs[f] += dsum * a[h * d.F + f];
        c[f] = dsum * u[f];
      }
    }
  }
}

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

inline unsigned warp_blocks(int64_t items) { return blocks_for(items * kWarp); }

// Whether this call takes the per-node kernels: chosen (variants.h), GATConv (version 1), F a
// power of two <= 32 and H*F <= 256 (at most 8 slots a lane). Anything else runs per head.
bool use_per_node(int version, int64_t H, int64_t F) {
  return gat_kernel() == GatKernel::kPerNode && version == 1 && H >= 1 && F >= 1 && F <= kWarp &&
         (F & (F - 1)) == 0 && H * F <= 8 * kWarp;
}

NodeDims node_dims(int64_t Nt, int64_t Ns, int64_t H, int64_t F) {
  NodeDims d{Nt, Ns, H, static_cast<int>(F), 0, static_cast<int>(H * F), 1};
  while ((1 << d.log2F) < d.F) ++d.log2F;
  while (d.hg < kWarp && d.hg < H) d.hg <<= 1;
  return d;
}

// Calls f(std::integral_constant<int, NS>{}) with NS the slots a lane needs for H*F outputs,
// rounded up to a power of two (1, 2, 4 or 8: four instantiations per kernel, not eight).
template <typename Fn>
void with_slots(int HF, Fn&& f) {
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

// The forward's launches; seed_bits non-null: the kernels take the seed from the device.
template <typename T>
void launch_forward(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F,
                    const int32_t* rowptr, const int32_t* col, const int32_t* perm, const T* xs,
                    const T* xt, const T* a_src, const T* a_dst, T slope, double p, uint64_t seed,
                    const double* seed_bits, T* out, T* stats, T* scratch) {
  const Dims d{version, Nt, Ns, H, F};
  const DropoutRule rule = dropout_rule(seed, p);
  const T keep_scale = T(1) / T(1 - p);
  T* s_src = scratch;
  T* s_dst = scratch + Ns * H;
  // GATv1's scores on their own rows: every source's, and only the targets' on that side.
  if (version == 1) {
    dots_kernel<T>
        <<<warp_blocks(Ns * H), kBlock, 0, launch_stream()>>>(d, Ns, xs, a_src, false, s_src);
    dots_kernel<T>
        <<<warp_blocks(Nt * H), kBlock, 0, launch_stream()>>>(d, Nt, xt, a_dst, false, s_dst);
  }
  if (use_per_node(version, H, F)) {
    const NodeDims nd = node_dims(Nt, Ns, H, F);
    with_slots(nd.HF, [&](auto ns) {
      node_forward_kernel<T, decltype(ns)::value><<<warp_blocks(Nt), kBlock, 0, launch_stream()>>>(
          nd, rowptr, col, perm, xs, s_src, s_dst, slope, rule, seed_bits, keep_scale, out, stats);
    });
  } else {
    forward_kernel<T><<<warp_blocks(Nt * H), kBlock, 0, launch_stream()>>>(
        d, rowptr, col, perm, xs, xt, a_src, s_src, s_dst, slope, rule, seed_bits, keep_scale, out,
        stats);
  }
  FATHOM_CUDA_LAUNCH_CHECK("gat_forward");
}

// The backward's launches, seed_bits as in launch_forward.
template <typename T>
void launch_backward(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F,
                     const int32_t* rowptr, const int32_t* col, const int32_t* perm,
                     const int32_t* t_rowptr, const int32_t* t_col, const int32_t* t_perm,
                     const T* xs, const T* xt, const T* a_src, const T* a_dst, T slope, double p,
                     uint64_t seed, const double* seed_bits, const T* out, const T* stats,
                     const T* grad, T* dxs, T* dxt, T* da_src, T* da_dst, T* scratch) {
  const Dims d{version, Nt, Ns, H, F};
  T* s_src = scratch;
  T* s_dst = scratch + Ns * H;
  T* delta = scratch + (Ns + Nt) * H;
  T* contrib = scratch + (Ns + 2 * Nt) * H;
  const unsigned t_blocks = warp_blocks(Nt * H), s_blocks = warp_blocks(Ns * H);
  if (version == 1) {
    dots_kernel<T><<<s_blocks, kBlock, 0, launch_stream()>>>(d, Ns, xs, a_src, false, s_src);
    dots_kernel<T><<<t_blocks, kBlock, 0, launch_stream()>>>(d, Nt, xt, a_dst, false, s_dst);
  }
  dots_kernel<T><<<t_blocks, kBlock, 0, launch_stream()>>>(d, Nt, grad, out, true, delta);
  const DropoutRule rule = dropout_rule(seed, p);
  const T keep_scale = T(1) / T(1 - p);
  if (use_per_node(version, H, F)) {
    // The same two passes and reductions, one warp per row for all heads.
    const NodeDims nd = node_dims(Nt, Ns, H, F);
    with_slots(nd.HF, [&](auto ns) {
      constexpr int NS = decltype(ns)::value;
      node_target_kernel<T, NS><<<warp_blocks(Nt), kBlock, 0, launch_stream()>>>(
          nd, rowptr, col, perm, xs, xt, a_dst, s_src, s_dst, slope, rule, seed_bits, keep_scale,
          stats, delta, grad, dxt, contrib);
      FATHOM_CUDA_LAUNCH_CHECK("gat_backward");
      sum_rows<T>(Nt, H * F, contrib, da_dst);
      node_source_kernel<T, NS><<<warp_blocks(Ns), kBlock, 0, launch_stream()>>>(
          nd, t_rowptr, t_col, t_perm, xs, a_src, s_src, s_dst, slope, rule, seed_bits, keep_scale,
          stats, delta, grad, dxs, contrib, dxs == dxt);
      FATHOM_CUDA_LAUNCH_CHECK("gat_backward");
      sum_rows<T>(Ns, H * F, contrib, da_src);
    });
    return;
  }
  // The target kernel first: with dxs == dxt the source kernel adds onto its rows.
  target_kernel<T><<<t_blocks, kBlock, 0, launch_stream()>>>(
      d, rowptr, col, perm, xs, xt, a_src, a_dst, s_src, s_dst, slope, rule, seed_bits, keep_scale,
      stats, delta, grad, dxt, contrib);
  FATHOM_CUDA_LAUNCH_CHECK("gat_backward");
  sum_rows<T>(Nt, H * F, contrib, version == 1 ? da_dst : da_src);
  source_kernel<T><<<s_blocks, kBlock, 0, launch_stream()>>>(
      d, t_rowptr, t_col, t_perm, xs, xt, a_src, s_src, s_dst, slope, rule, seed_bits, keep_scale,
      stats, delta, grad, dxs, contrib, dxs == dxt);
  FATHOM_CUDA_LAUNCH_CHECK("gat_backward");
  if (version == 1) sum_rows<T>(Ns, H * F, contrib, da_src);
}

}  // namespace

template <typename T>
void gat_forward(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F, const int32_t* rowptr,
                 const int32_t* col, const int32_t* perm, const T* xs, const T* xt, const T* a_src,
                 const T* a_dst, T slope, double p, uint64_t seed, T* out, T* stats, T* scratch) {
  launch_forward<T>(version, Nt, Ns, H, F, rowptr, col, perm, xs, xt, a_src, a_dst, slope, p, seed,
                    nullptr, out, stats, scratch);
}

template <typename T>
void gat_forward_dev(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F,
                     const int32_t* rowptr, const int32_t* col, const int32_t* perm, const T* xs,
                     const T* xt, const T* a_src, const T* a_dst, T slope, double p,
                     const double* seed_bits, T* out, T* stats, T* scratch) {
  launch_forward<T>(version, Nt, Ns, H, F, rowptr, col, perm, xs, xt, a_src, a_dst, slope, p, 0,
                    seed_bits, out, stats, scratch);
}

template <typename T>
void gat_backward(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F, const int32_t* rowptr,
                  const int32_t* col, const int32_t* perm, const int32_t* t_rowptr,
                  const int32_t* t_col, const int32_t* t_perm, const T* xs, const T* xt,
                  const T* a_src, const T* a_dst, T slope, double p, uint64_t seed, const T* out,
                  const T* stats, const T* grad, T* dxs, T* dxt, T* da_src, T* da_dst, T* scratch) {
  launch_backward<T>(version, Nt, Ns, H, F, rowptr, col, perm, t_rowptr, t_col, t_perm, xs, xt,
                     a_src, a_dst, slope, p, seed, nullptr, out, stats, grad, dxs, dxt, da_src,
                     da_dst, scratch);
}

template <typename T>
void gat_backward_dev(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F,
                      const int32_t* rowptr, const int32_t* col, const int32_t* perm,
                      const int32_t* t_rowptr, const int32_t* t_col, const int32_t* t_perm,
                      const T* xs, const T* xt, const T* a_src, const T* a_dst, T slope, double p,
                      const double* seed_bits, const T* out, const T* stats, const T* grad, T* dxs,
                      T* dxt, T* da_src, T* da_dst, T* scratch) {
  launch_backward<T>(version, Nt, Ns, H, F, rowptr, col, perm, t_rowptr, t_col, t_perm, xs, xt,
                     a_src, a_dst, slope, p, 0, seed_bits, out, stats, grad, dxs, dxt, da_src,
                     da_dst, scratch);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_gat 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
