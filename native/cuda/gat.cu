// GAT attention on the GPU (docs/methods.md §2.2), the twin of cpu/gat_attention.cc. Two kernel
// sets, chosen per call (variants.h); both write every output element from one lane in CSR
// order, so results are deterministic without atomics, and nothing of size E×H×F is stored.
//
// Per head (the default; every version and shape): one warp serves one (node, head) pair, the
// lanes split the F channels and a fixed shuffle tree combines per-edge dot products. The forward
// walks a row twice (max and sum, then the weighted aggregation with known max and sum) instead
// of rescaling running sums. The backward recomputes α from the per-node statistics.
//
// Per node (gat_per_node.cuh; GatKernel::kPerNode, FATHOM_CUDA_GAT=per-node; GATConv version 1 with
// F a power of two <= 32 and H*F <= 256, else per head): one warp serves one row for all heads,
// lane l owning outputs c = l + 32t (t < NS, NS = 1, 2, 4, 8 slots in registers), c in head c / F.
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
//
// Long rows (per node only, when split_rows() is on: FATHOM_CUDA_SPLIT_ROWS=1): on power-law
// graphs a few rows hold tens of thousands of entries (41k on an R-MAT graph of 1M nodes and 10M
// edges), and the one warp that walks such a row sets each kernel's time. Each per-node kernel
// then follows a segment kernel (gat_split.cuh; row_split.cuh) that gives every segment of a
// long row its own warp: in the forward a segment's partial is its per-head maximum, denominator
// and unnormalized messages, merged by the row's warp after its head in segment order as flash
// attention does (rescaled to the larger maximum, so the row's maximum stays exact); in the
// backward passes the partials are sums (dsum, and the source pass's message gradients), added in
// segment order. Fixed order and no atomics; rows that are not split give the unsplit kernels'
// bits, long rows differ in rounding.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "../core/counter_rng.h"
#include "common.cuh"
#include "gat_per_node.cuh"
#include "gat_split.cuh"
#include "row_split.cuh"
#include "variants.h"

namespace fathom::cuda {
namespace {

using namespace detail;
using namespace gat;

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

// d[n, h] = x[n, h]·y[n, h] (y_per_node) or x[n, h]·y[h] (an attention vector), n < rows: a
// group of G lanes per (n, h) pair, G the smallest power of two >= F up to 32 (wider F loops), so
// at F = 8 a warp serves 4 pairs with every lane busy. For F <= 32 group_sum<G> is the butterfly
// that a whole-warp warp_sum ends with, whose earlier levels, when one warp served one pair, only
// added the zeros of the lanes past F: the sums are those of that layout (up to a zero's sign).
template <int G, typename T>
__global__ void __launch_bounds__(kBlock)
    dots_kernel(Dims d, int64_t rows, const T* __restrict__ x, const T* __restrict__ y,
                bool y_per_node, T* __restrict__ out) {
  const int lane = static_cast<int>(threadIdx.x % G);
  const int64_t groups = grid_threads() / G;
  for (int64_t w = global_thread() / G; w < rows * d.H; w += groups) {
    const int64_t h = w % d.H;
    const T* a = x + w * d.F;
    const T* b = y_per_node ? y + w * d.F : y + h * d.F;
    T acc = T(0);
    for (int64_t f = lane; f < d.F; f += G) acc += a[f] * b[f];
    acc = group_sum<G>(acc);
    if (lane == 0) out[w] = acc;
  }
}

// The launch of dots_kernel for `rows` rows of H heads: groups of G lanes with the candidate
// kernels on (variants.h: GatKernel::kPerNode), else a warp per pair as before them (G = 32).
template <typename T>
void dots(const Dims& d, int64_t rows, const T* x, const T* y, bool y_per_node, T* out) {
  with_group_lanes(gat_kernel() == GatKernel::kPerNode ? d.F : kWarp, [&](auto g) {
    constexpr int G = decltype(g)::value;
    dots_kernel<G, T><<<row_group_blocks(rows * d.H, G), kBlock, 0, launch_stream()>>>(
        d, rows, x, y, y_per_node, out);
  });
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

inline unsigned warp_blocks(int64_t items) { return blocks_for(items * kWarp); }

// Whether this call takes the per-node kernels: chosen (variants.h), GATConv (version 1), F a
// power of two <= 32 and H*F <= 256 (at most 8 slots a lane). Anything else runs per head.
bool use_per_node(int version, int64_t H, int64_t F) {
  return gat_kernel() == GatKernel::kPerNode && version == 1 && H >= 1 && F >= 1 && F <= kWarp &&
         (F & (F - 1)) == 0 && H * F <= 8 * kWarp;
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
    dots<T>(d, Ns, xs, a_src, false, s_src);
    dots<T>(d, Nt, xt, a_dst, false, s_dst);
  }
  if (use_per_node(version, H, F)) {
    const NodeDims nd = node_dims(Nt, Ns, H, F);
    with_slots(nd.HF, [&](auto ns) {
      constexpr int NS = decltype(ns)::value;
      if (split_rows()) {
        // Long rows split (row_split.cuh): the segments' partials first, into cap slots.
        const int64_t cap = split_slots(forward_part_width(nd));
        Scratch part(sizeof(T) * static_cast<size_t>(cap * forward_part_width(nd)));
        node_forward_segments<T, NS><<<warp_blocks(cap), kBlock, 0, launch_stream()>>>(
            nd, cap, rowptr, col, perm, xs, s_src, s_dst, slope, rule, seed_bits, part.as<T>());
        node_forward_kernel<T, NS, true><<<warp_blocks(Nt), kBlock, 0, launch_stream()>>>(
            nd, cap, part.as<T>(), rowptr, col, perm, xs, s_src, s_dst, slope, rule, seed_bits,
            keep_scale, out, stats);
      } else {
        node_forward_kernel<T, NS, false><<<warp_blocks(Nt), kBlock, 0, launch_stream()>>>(
            nd, 0, nullptr, rowptr, col, perm, xs, s_src, s_dst, slope, rule, seed_bits, keep_scale,
            out, stats);
      }
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
  if (version == 1) {
    dots<T>(d, Ns, xs, a_src, false, s_src);
    dots<T>(d, Nt, xt, a_dst, false, s_dst);
  }
  dots<T>(d, Nt, grad, out, true, delta);
  const DropoutRule rule = dropout_rule(seed, p);
  const T keep_scale = T(1) / T(1 - p);
  if (use_per_node(version, H, F)) {
    // The same two passes and reductions, one warp per row for all heads.
    const NodeDims nd = node_dims(Nt, Ns, H, F);
    with_slots(nd.HF, [&](auto ns) {
      constexpr int NS = decltype(ns)::value;
      // Split (long rows across warps, row_split.cuh): each pass's segment partials into `part`
      // first, t_cap and s_cap slots; the source pass's overwrite the target pass's after its
      // row kernel has read them (one stream).
      auto passes = [&](auto split, int64_t t_cap, int64_t s_cap, T* part) {
        constexpr bool kSplit = decltype(split)::value;
        if constexpr (kSplit) {
          node_target_segments<T, NS><<<warp_blocks(t_cap), kBlock, 0, launch_stream()>>>(
              nd, t_cap, rowptr, col, perm, xs, s_src, s_dst, slope, rule, seed_bits, keep_scale,
              stats, delta, grad, part);
        }
        node_target_kernel<T, NS, kSplit><<<warp_blocks(Nt), kBlock, 0, launch_stream()>>>(
            nd, t_cap, part, rowptr, col, perm, xs, xt, a_dst, s_src, s_dst, slope, rule, seed_bits,
            keep_scale, stats, delta, grad, dxt, contrib);
        FATHOM_CUDA_LAUNCH_CHECK("gat_backward");
        sum_rows<T>(Nt, H * F, contrib, da_dst);
        if constexpr (kSplit) {
          node_source_segments<T, NS><<<warp_blocks(s_cap), kBlock, 0, launch_stream()>>>(
              nd, s_cap, t_rowptr, t_col, t_perm, xs, s_src, s_dst, slope, rule, seed_bits,
              keep_scale, stats, delta, grad, part);
        }
        node_source_kernel<T, NS, kSplit><<<warp_blocks(Ns), kBlock, 0, launch_stream()>>>(
            nd, s_cap, part, t_rowptr, t_col, t_perm, xs, a_src, s_src, s_dst, slope, rule,
            seed_bits, keep_scale, stats, delta, grad, dxs, contrib, dxs == dxt);
        FATHOM_CUDA_LAUNCH_CHECK("gat_backward");
        sum_rows<T>(Ns, H * F, contrib, da_src);
      };
      if (split_rows()) {
        const int64_t t_cap = split_slots(target_part_width(nd));
        const int64_t s_cap = split_slots(source_part_width(nd));
        const int64_t elems =
            std::max(t_cap * target_part_width(nd), s_cap * source_part_width(nd));
        Scratch part(sizeof(T) * static_cast<size_t>(elems));
        passes(std::true_type{}, t_cap, s_cap, part.as<T>());
      } else {
        passes(std::false_type{}, int64_t{0}, int64_t{0}, static_cast<T*>(nullptr));
      }
    });
    return;
  }
  // The target kernel first: with dxs == dxt the source kernel adds onto its rows.
  const unsigned t_blocks = warp_blocks(Nt * H), s_blocks = warp_blocks(Ns * H);
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
