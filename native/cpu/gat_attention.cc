// GAT attention on the CPU (docs/methods.md §2.2): one fused pass per target row computes the
// logits, an online max-subtracted softmax and the weighted aggregation; nothing of size E×H×F is
// ever stored. The backward recomputes every α_ij from the per-node (max, sum) statistics. Each
// output row is written by exactly one thread in a fixed order, so results do not depend on the
// thread count and no atomics are needed.
//
// The per-row passes are compiled for the common head widths F = 8, 16, 32 and 64 as well as for
// any F: with F a constant the per-edge dot products and row updates unroll into a few vector
// instructions instead of short loops, which is most of the work when F is small (8 heads x 8).
// They also get an AVX2 clone picked at load time. Same formulas and summation order in every
// variant: the results are bit-identical.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "../core/counter_rng.h"
#include "fast_exp.h"
#include "kernels.h"
#include "parallel.h"
#include "row_sums.h"
#include "simd_clones.h"

namespace fathom::cpu {
namespace {

// Written as a select between values (not between a value and a product): GCC keeps a product in
// one arm of a conditional as control flow under the default -ftrapping-math, which stops the
// per-head loops from vectorizing. z·1 = z exactly, so the results are unchanged.
template <typename T>
FATHOM_INLINE T lrelu(T z, T slope) {
  const T k = z > T(0) ? T(1) : slope;
  return z * k;
}

template <typename T>
FATHOM_INLINE T lrelu_grad(T z, T slope) {
  return z > T(0) ? T(1) : slope;
}

// Eight independent partial sums combined in a fixed order: vectorizable without -ffast-math,
// and the result depends on F alone (not on threads).
template <typename T>
FATHOM_INLINE T combine(const T* lane) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

template <typename T>
FATHOM_INLINE T dot(int64_t F, const T* __restrict a, const T* __restrict b) {
  T lane[8] = {};
  const int64_t full = F / 8 * 8;
  for (int64_t f = 0; f < full; f += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += a[f + l] * b[f + l];
  }
  for (int64_t f = full; f < F; ++f) lane[0] += a[f] * b[f];
  return combine(lane);
}

// GATv2's score Σ_f w_f LeakyReLU(u_f + v_f), with the same fixed-order lanes.
template <typename T>
FATHOM_INLINE T v2_score(int64_t F, const T* __restrict w, const T* __restrict u,
                         const T* __restrict v, T slope) {
  T lane[8] = {};
  const int64_t full = F / 8 * 8;
  for (int64_t f = 0; f < full; f += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += w[f + l] * lrelu(u[f + l] + v[f + l], slope);
  }
  for (int64_t f = full; f < F; ++f) lane[0] += w[f] * lrelu(u[f] + v[f], slope);
  return combine(lane);
}

// The dropout counter of CSR entry k whose target is `target` (see core/kernel_list.inc).
FATHOM_INLINE uint64_t edge_key(const int32_t* perm, int32_t k, int64_t target) {
  return perm[k] >= 0 ? static_cast<uint64_t>(perm[k])
                      : (uint64_t{1} << 31) + static_cast<uint64_t>(target);
}

// Everything the passes read or write; one per call.
template <typename T>
struct Gat {
  int version;
  int64_t Nt, Ns, H, F;  // targets (CSR rows, rows of out) and sources (CSR columns, rows of xs)
  const int32_t *rowptr, *col, *perm, *t_rowptr, *t_col, *t_perm;
  const T *xs, *xt, *a_src, *a_dst, *s_src, *s_dst;
  T slope;
  DropoutRule rule;
  bool no_drop;  // p = 0: every entry kept, so the hash is skipped
  T keep_scale;
  // forward
  T *out, *stats;
  // backward
  const T *fwd_out, *fwd_stats, *grad, *delta;
  // dxs == dxt when xs and xt are one tensor: the source pass then adds onto the rows the
  // target pass wrote (the first Nt), so the caller gets the summed gradient without a third
  // buffer.
  T *dxs, *dxt, *contrib;
  int64_t contrib_row0;  // contrib holds rows [contrib_row0, contrib_row0 + kGatContribRows)

  FATHOM_INLINE bool keep(uint64_t key, int64_t h) const {
    return no_drop || dropout_keep(rule, key * static_cast<uint64_t>(H) + static_cast<uint64_t>(h));
  }

  // Whether the source pass adds onto row j of dxs (written by the target pass) or starts it.
  FATHOM_INLINE bool adds_onto(int64_t j) const { return dxs == dxt && j < Nt; }

  // e_ij for head h, with F the (possibly constant) head width.
  FATHOM_INLINE T logit(int64_t i, int64_t j, int64_t h, int64_t F) const {
    if (version == 1) return lrelu(s_src[j * H + h] + s_dst[i * H + h], slope);
    return v2_score(F, a_src + h * F, xs + (j * H + h) * F, xt + (i * H + h) * F, slope);
  }

  // Returns ∂L/∂e_ij and sets w = α_ij·keep_ij/(1−p), the weight of xs_j in out_i.
  T edge_grad(int64_t i, int64_t j, int64_t h, uint64_t key, int64_t F, T* w) const {
    const T m = fwd_stats[i * H + h];
    const T s = fwd_stats[Nt * H + i * H + h];
    const T alpha = std::exp(logit(i, j, h, F) - m) / s;
    const T d = keep(key, h) ? keep_scale : T(0);
    *w = alpha * d;
    const T dalpha = d == T(0) ? T(0) : d * dot(F, grad + (i * H + h) * F, xs + (j * H + h) * F);
    return alpha * (dalpha - delta[i * H + h]);
  }
};

// GATv1's per-node scores s[n, h] = att[h]·x[n, h] (skipped for GATv2).
template <typename T>
void node_scores(int64_t N, int64_t H, int64_t F, const T* x, const T* att, T* s) {
#pragma omp parallel for schedule(static) if (N * H * F >= kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t h = 0; h < H; ++h) s[n * H + h] = dot(F, x + (n * H + h) * F, att + h * F);
  }
}

// d[n, h] = x[n, h]·y[n, h]: both operands per node.
template <typename T>
void node_dots(int64_t N, int64_t H, int64_t F, const T* x, const T* y, T* d) {
#pragma omp parallel for schedule(static) if (N * H * F >= kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t h = 0; h < H; ++h) d[n * H + h] = dot(F, x + (n * H + h) * F, y + (n * H + h) * F);
  }
}

template <typename T, int FC>
FATHOM_INLINE void forward_rows(const Gat<T>& g, int64_t i0, int64_t i1) {
  const int64_t F = FC > 0 ? FC : g.F;
  const int64_t H = g.H, N = g.Nt, HF = H * F;
  for (int64_t i = i0; i < i1; ++i) {
    for (int64_t h = 0; h < H; ++h) {
      T* __restrict o = g.out + i * HF + h * F;
      for (int64_t f = 0; f < F; ++f) o[f] = 0;
      // Online softmax: when a larger logit arrives, what was summed so far is rescaled, so
      // exp never sees a positive argument (stable for logits of any size).
      T m = -std::numeric_limits<T>::infinity();
      T s = 0;
      for (int32_t k = g.rowptr[i]; k < g.rowptr[i + 1]; ++k) {
        const int64_t j = g.col[k];
        const T e = g.logit(i, j, h, F);
        if (e > m) {
          const T c = std::exp(m - e);
          s *= c;
          for (int64_t f = 0; f < F; ++f) o[f] *= c;
          m = e;
        }
        const T w = std::exp(e - m);
        s += w;
        if (g.keep(edge_key(g.perm, k, i), h)) {
          const T* __restrict x = g.xs + j * HF + h * F;
          for (int64_t f = 0; f < F; ++f) o[f] += w * x[f];
        }
      }
      const T inv = s > T(0) ? g.keep_scale / s : T(0);
      for (int64_t f = 0; f < F; ++f) o[f] *= inv;
      g.stats[i * H + h] = s > T(0) ? m : T(0);
      g.stats[N * H + i * H + h] = s;
    }
  }
}

// Target side: row i of the CSR gathers ∂L/∂xt_i and node i's share of ∂L/∂a (v2) or ∂L/∂a_dst.
template <typename T, int FC>
FATHOM_INLINE void target_rows(const Gat<T>& g, int64_t i0, int64_t i1) {
  const int64_t F = FC > 0 ? FC : g.F;
  const int64_t H = g.H, HF = H * F;
  for (int64_t i = i0; i < i1; ++i) {
    for (int64_t h = 0; h < H; ++h) {
      T* __restrict gt = g.dxt + i * HF + h * F;
      T* __restrict c = g.contrib + (i - g.contrib_row0) * HF + h * F;
      const T* v = g.xt + i * HF + h * F;
      for (int64_t f = 0; f < F; ++f) gt[f] = c[f] = 0;
      T dsum = 0;
      for (int32_t k = g.rowptr[i]; k < g.rowptr[i + 1]; ++k) {
        const int64_t j = g.col[k];
        T w;
        const T de = g.edge_grad(i, j, h, edge_key(g.perm, k, i), F, &w);
        if (g.version == 1) {
          dsum += de * lrelu_grad(g.s_src[j * H + h] + g.s_dst[i * H + h], g.slope);
        } else {
          const T* u = g.xs + j * HF + h * F;
          const T* att = g.a_src + h * F;
          for (int64_t f = 0; f < F; ++f) {
            const T z = u[f] + v[f];
            gt[f] += de * att[f] * lrelu_grad(z, g.slope);
            c[f] += de * lrelu(z, g.slope);
          }
        }
      }
      if (g.version == 1) {
        for (int64_t f = 0; f < F; ++f) {
          gt[f] = dsum * g.a_dst[h * F + f];
          c[f] = dsum * v[f];
        }
      }
    }
  }
}

// Source side: row j of the transposed CSR gathers ∂L/∂xs_j over the targets i of j.
template <typename T, int FC>
FATHOM_INLINE void source_rows(const Gat<T>& g, int64_t j0, int64_t j1) {
  const int64_t F = FC > 0 ? FC : g.F;
  const int64_t H = g.H, HF = H * F;
  for (int64_t j = j0; j < j1; ++j) {
    for (int64_t h = 0; h < H; ++h) {
      T* __restrict gs = g.dxs + j * HF + h * F;
      const T* u = g.xs + j * HF + h * F;
      if (!g.adds_onto(j))
        for (int64_t f = 0; f < F; ++f) gs[f] = 0;
      T dsum = 0;
      for (int32_t k = g.t_rowptr[j]; k < g.t_rowptr[j + 1]; ++k) {
        const int64_t i = g.t_col[k];
        T w;
        const T de = g.edge_grad(i, j, h, edge_key(g.t_perm, k, i), F, &w);
        const T* gr = g.grad + i * HF + h * F;
        for (int64_t f = 0; f < F; ++f) gs[f] += w * gr[f];
        if (g.version == 1) {
          dsum += de * lrelu_grad(g.s_src[j * H + h] + g.s_dst[i * H + h], g.slope);
        } else {
          const T* v = g.xt + i * HF + h * F;
          const T* att = g.a_src + h * F;
          for (int64_t f = 0; f < F; ++f) gs[f] += de * att[f] * lrelu_grad(u[f] + v[f], g.slope);
        }
      }
      if (g.version == 1) {
        T* c = g.contrib + (j - g.contrib_row0) * HF + h * F;
        for (int64_t f = 0; f < F; ++f) {
          gs[f] += dsum * g.a_src[h * F + f];
          c[f] = dsum * u[f];
        }
      }
    }
  }
}

// Heads handled by the edge-outer passes below (per-head state lives in registers/stack).
constexpr int64_t kMaxHeads = 16;

// Entries ahead whose gathered rows are prefetched: on graphs larger than the cache every
// neighbour row is a miss, and the passes otherwise wait on each one in turn (as spmm.cc).
constexpr int32_t kPrefetchAhead = 8;

template <typename T>
FATHOM_INLINE void prefetch_span(const T* p, int64_t count) {
  const char* c = reinterpret_cast<const char*>(p);
  for (int64_t b = 0; b < count * static_cast<int64_t>(sizeof(T)); b += 64)
    __builtin_prefetch(c + b);
}

// e_ij for every head into e[0, H).
template <typename T>
FATHOM_INLINE void all_logits(const Gat<T>& g, int64_t i, int64_t j, int64_t H, int64_t F,
                              T* __restrict e) {
  if (g.version == 1) {
    const T* ss = g.s_src + j * H;
    const T* sd = g.s_dst + i * H;
    for (int64_t h = 0; h < H; ++h) e[h] = lrelu(ss[h] + sd[h], g.slope);
  } else {
    for (int64_t h = 0; h < H; ++h) e[h] = g.logit(i, j, h, F);
  }
}

// For every head: ∂L/∂e_ij into de and α_ij·keep_ij/(1−p) into w (Gat::edge_grad for all heads).
template <typename T>
FATHOM_INLINE void all_edge_grads(const Gat<T>& g, int64_t i, int64_t j, uint64_t key, int64_t H,
                                  int64_t F, T* __restrict de, T* __restrict w) {
  const int64_t HF = H * F;
  T e[kMaxHeads], d[kMaxHeads], dots[kMaxHeads];
  all_logits(g, i, j, H, F, e);
  const T* m = g.fwd_stats + i * H;
  const T* s = g.fwd_stats + g.Nt * H + i * H;
  for (int64_t h = 0; h < H; ++h) e[h] = fast_exp(e[h] - m[h]) / s[h];  // α
  if (g.no_drop) {
    for (int64_t h = 0; h < H; ++h) d[h] = g.keep_scale;
  } else {
    const uint64_t base = key * static_cast<uint64_t>(g.H);
    for (int64_t h = 0; h < H; ++h) {
      d[h] = dropout_keep(g.rule, base + static_cast<uint64_t>(h)) ? g.keep_scale : T(0);
    }
  }
  for (int64_t h = 0; h < H; ++h) dots[h] = dot(F, g.grad + i * HF + h * F, g.xs + j * HF + h * F);
  const T* delta = g.delta + i * H;
  for (int64_t h = 0; h < H; ++h) {
    w[h] = e[h] * d[h];
    const T scaled = d[h] * dots[h];
    const T dalpha = d[h] == T(0) ? T(0) : scaled;
    de[h] = e[h] * (dalpha - delta[h]);
  }
}

// Forward with the edge loop outside the head loop: one gather of xs_j's H·F values per edge,
// and the logits, exponentials and sums of all heads at once. Two passes over the row (the
// maximum first) instead of an online softmax, so the head loop has no branch.
template <typename T, int FC, int HC>
FATHOM_INLINE void forward_edges(const Gat<T>& g, int64_t i0, int64_t i1) {
  const int64_t F = FC > 0 ? FC : g.F;
  const int64_t H = HC > 0 ? HC : g.H, N = g.Nt, HF = H * F;
  std::vector<T> ebuf;
  for (int64_t i = i0; i < i1; ++i) {
    const int32_t begin = g.rowptr[i], end = g.rowptr[i + 1];
    const size_t need = static_cast<size_t>(end - begin) * static_cast<size_t>(H);
    if (ebuf.size() < need) ebuf.resize(need);
    T m[kMaxHeads], s[kMaxHeads];
    for (int64_t h = 0; h < H; ++h) {
      m[h] = -std::numeric_limits<T>::infinity();
      s[h] = T(0);
    }
    const int32_t nnz = g.rowptr[N];
    for (int32_t k = begin; k < end; ++k) {
      if (g.version == 1 && k + kPrefetchAhead < nnz) {
        prefetch_span(g.s_src + static_cast<int64_t>(g.col[k + kPrefetchAhead]) * H, H);
      }
      T* __restrict e = ebuf.data() + static_cast<size_t>(k - begin) * H;
      all_logits(g, i, g.col[k], H, F, e);
      for (int64_t h = 0; h < H; ++h) m[h] = e[h] > m[h] ? e[h] : m[h];
    }
    T* __restrict o = g.out + i * HF;
    for (int64_t f = 0; f < HF; ++f) o[f] = T(0);
    for (int32_t k = begin; k < end; ++k) {
      if (k + kPrefetchAhead < nnz)
        prefetch_span(g.xs + static_cast<int64_t>(g.col[k + kPrefetchAhead]) * HF, HF);
      const T* e = ebuf.data() + static_cast<size_t>(k - begin) * H;
      T w[kMaxHeads];
      for (int64_t h = 0; h < H; ++h) w[h] = fast_exp(e[h] - m[h]);
      for (int64_t h = 0; h < H; ++h) s[h] += w[h];
      if (!g.no_drop) {
        const uint64_t key = edge_key(g.perm, k, i);
        const uint64_t base = key * static_cast<uint64_t>(H);
        for (int64_t h = 0; h < H; ++h) {
          w[h] = dropout_keep(g.rule, base + static_cast<uint64_t>(h)) ? w[h] : T(0);
        }
      }
      const T* __restrict x = g.xs + static_cast<int64_t>(g.col[k]) * HF;
      for (int64_t h = 0; h < H; ++h) {
        for (int64_t f = 0; f < F; ++f) o[h * F + f] += w[h] * x[h * F + f];
      }
    }
    for (int64_t h = 0; h < H; ++h) {
      const T inv = s[h] > T(0) ? g.keep_scale / s[h] : T(0);
      for (int64_t f = 0; f < F; ++f) o[h * F + f] *= inv;
      g.stats[i * H + h] = s[h] > T(0) ? m[h] : T(0);
      g.stats[N * H + i * H + h] = s[h];
    }
  }
}

// target_rows with the edge loop outside the head loop.
template <typename T, int FC, int HC>
FATHOM_INLINE void target_edges(const Gat<T>& g, int64_t i0, int64_t i1) {
  const int64_t F = FC > 0 ? FC : g.F;
  const int64_t H = HC > 0 ? HC : g.H, HF = H * F;
  const int32_t nnz = g.rowptr[g.Nt];
  for (int64_t i = i0; i < i1; ++i) {
    T* __restrict gt = g.dxt + i * HF;
    T* __restrict c = g.contrib + (i - g.contrib_row0) * HF;
    const T* v = g.xt + i * HF;
    for (int64_t f = 0; f < HF; ++f) gt[f] = c[f] = T(0);
    T dsum[kMaxHeads];
    for (int64_t h = 0; h < H; ++h) dsum[h] = T(0);
    for (int32_t k = g.rowptr[i]; k < g.rowptr[i + 1]; ++k) {
      if (k + kPrefetchAhead < nnz) {
        const int64_t ja = g.col[k + kPrefetchAhead];
        prefetch_span(g.xs + ja * HF, HF);
        if (g.version == 1) prefetch_span(g.s_src + ja * H, H);
      }
      const int64_t j = g.col[k];
      T de[kMaxHeads], w[kMaxHeads];
      all_edge_grads(g, i, j, edge_key(g.perm, k, i), H, F, de, w);
      if (g.version == 1) {
        const T* ss = g.s_src + j * H;
        const T* sd = g.s_dst + i * H;
        for (int64_t h = 0; h < H; ++h) dsum[h] += de[h] * lrelu_grad(ss[h] + sd[h], g.slope);
      } else {
        const T* u = g.xs + j * HF;
        for (int64_t h = 0; h < H; ++h) {
          const T* att = g.a_src + h * F;
          for (int64_t f = 0; f < F; ++f) {
            const T z = u[h * F + f] + v[h * F + f];
            gt[h * F + f] += de[h] * att[f] * lrelu_grad(z, g.slope);
            c[h * F + f] += de[h] * lrelu(z, g.slope);
          }
        }
      }
    }
    if (g.version == 1) {
      for (int64_t h = 0; h < H; ++h) {
        for (int64_t f = 0; f < F; ++f) {
          gt[h * F + f] = dsum[h] * g.a_dst[h * F + f];
          c[h * F + f] = dsum[h] * v[h * F + f];
        }
      }
    }
  }
}

// source_rows with the edge loop outside the head loop.
template <typename T, int FC, int HC>
FATHOM_INLINE void source_edges(const Gat<T>& g, int64_t j0, int64_t j1) {
  const int64_t F = FC > 0 ? FC : g.F;
  const int64_t H = HC > 0 ? HC : g.H, HF = H * F;
  const int32_t nnz = g.t_rowptr[g.Ns];
  for (int64_t j = j0; j < j1; ++j) {
    T* __restrict gs = g.dxs + j * HF;
    const T* u = g.xs + j * HF;
    if (!g.adds_onto(j))
      for (int64_t f = 0; f < HF; ++f) gs[f] = T(0);
    T dsum[kMaxHeads];
    for (int64_t h = 0; h < H; ++h) dsum[h] = T(0);
    for (int32_t k = g.t_rowptr[j]; k < g.t_rowptr[j + 1]; ++k) {
      if (k + kPrefetchAhead < nnz) {
        const int64_t ia = g.t_col[k + kPrefetchAhead];
        prefetch_span(g.grad + ia * HF, HF);
        prefetch_span(g.fwd_stats + ia * H, H);
        prefetch_span(g.fwd_stats + g.Nt * H + ia * H, H);
        prefetch_span(g.delta + ia * H, H);
        if (g.version == 1) prefetch_span(g.s_dst + ia * H, H);
      }
      const int64_t i = g.t_col[k];
      T de[kMaxHeads], w[kMaxHeads];
      all_edge_grads(g, i, j, edge_key(g.t_perm, k, i), H, F, de, w);
      const T* gr = g.grad + i * HF;
      for (int64_t h = 0; h < H; ++h) {
        for (int64_t f = 0; f < F; ++f) gs[h * F + f] += w[h] * gr[h * F + f];
      }
      if (g.version == 1) {
        const T* ss = g.s_src + j * H;
        const T* sd = g.s_dst + i * H;
        for (int64_t h = 0; h < H; ++h) dsum[h] += de[h] * lrelu_grad(ss[h] + sd[h], g.slope);
      } else {
        const T* v = g.xt + i * HF;
        for (int64_t h = 0; h < H; ++h) {
          const T* att = g.a_src + h * F;
          for (int64_t f = 0; f < F; ++f) {
            gs[h * F + f] += de[h] * att[f] * lrelu_grad(u[h * F + f] + v[h * F + f], g.slope);
          }
        }
      }
    }
    if (g.version == 1) {
      T* c = g.contrib + (j - g.contrib_row0) * HF;
      for (int64_t h = 0; h < H; ++h) {
        for (int64_t f = 0; f < F; ++f) {
          gs[h * F + f] += dsum[h] * g.a_src[h * F + f];
          c[h * F + f] = dsum[h] * u[h * F + f];
        }
      }
    }
  }
}

// The edge-outer form when the heads fit its per-head arrays, else the head-outer one.
template <typename T, int FC>
FATHOM_INLINE void forward_any(const Gat<T>& g, int64_t a, int64_t b) {
  // Eight heads (the common GAT setting) as a constant: the per-head loops become one vector.
  if (g.H == 8) return forward_edges<T, FC, 8>(g, a, b);
  if (g.H <= kMaxHeads) return forward_edges<T, FC, 0>(g, a, b);
  forward_rows<T, FC>(g, a, b);
}
template <typename T, int FC>
FATHOM_INLINE void target_any(const Gat<T>& g, int64_t a, int64_t b) {
  // Eight heads (the common GAT setting) as a constant: the per-head loops become one vector.
  if (g.H == 8) return target_edges<T, FC, 8>(g, a, b);
  if (g.H <= kMaxHeads) return target_edges<T, FC, 0>(g, a, b);
  target_rows<T, FC>(g, a, b);
}
template <typename T, int FC>
FATHOM_INLINE void source_any(const Gat<T>& g, int64_t a, int64_t b) {
  // Eight heads (the common GAT setting) as a constant: the per-head loops become one vector.
  if (g.H == 8) return source_edges<T, FC, 8>(g, a, b);
  if (g.H <= kMaxHeads) return source_edges<T, FC, 0>(g, a, b);
  source_rows<T, FC>(g, a, b);
}

// One entry point per pass and dtype (target_clones wants plain functions), dispatching on F.
#define FATHOM_GAT_PASS(name, pass, T)                               \
  FATHOM_CLONES void name(const Gat<T>& g, int64_t r0, int64_t r1) { \
    switch (g.F) {                                                   \
      case 8:                                                        \
        return pass<T, 8>(g, r0, r1);                                \
      case 16:                                                       \
        return pass<T, 16>(g, r0, r1);                               \
      case 32:                                                       \
        return pass<T, 32>(g, r0, r1);                               \
      case 64:                                                       \
        return pass<T, 64>(g, r0, r1);                               \
      default:                                                       \
        return pass<T, 0>(g, r0, r1);                                \
    }                                                                \
  }
FATHOM_GAT_PASS(forward_f32, forward_any, float)
FATHOM_GAT_PASS(forward_f64, forward_any, double)
FATHOM_GAT_PASS(target_f32, target_any, float)
FATHOM_GAT_PASS(target_f64, target_any, double)
FATHOM_GAT_PASS(source_f32, source_any, float)
FATHOM_GAT_PASS(source_f64, source_any, double)
#undef FATHOM_GAT_PASS

inline void forward_pass(const Gat<float>& g, int64_t a, int64_t b) { forward_f32(g, a, b); }
inline void forward_pass(const Gat<double>& g, int64_t a, int64_t b) { forward_f64(g, a, b); }
inline void target_pass(const Gat<float>& g, int64_t a, int64_t b) { target_f32(g, a, b); }
inline void target_pass(const Gat<double>& g, int64_t a, int64_t b) { target_f64(g, a, b); }
inline void source_pass(const Gat<float>& g, int64_t a, int64_t b) { source_f32(g, a, b); }
inline void source_pass(const Gat<double>& g, int64_t a, int64_t b) { source_f64(g, a, b); }

// Rows [r0, r1) in blocks of 16 handed out dynamically (degrees vary widely).
template <typename T, typename Pass>
void over_rows(const Gat<T>& g, bool big, Pass pass, int64_t r0, int64_t r1) {
  constexpr int64_t kRows = 16;
  const int64_t blocks = (r1 - r0 + kRows - 1) / kRows;
#pragma omp parallel for schedule(dynamic, 1) if (big)
  for (int64_t b = 0; b < blocks; ++b) {
    pass(g, r0 + b * kRows, std::min(r1, r0 + (b + 1) * kRows));
  }
}

// A pass that writes per-node attention-vector terms, run over chunks of kGatContribRows rows
// with the terms of each chunk reduced (sum_rows' blocks, so the same bits) before the next
// overwrites them: [kGatContribRows, H*F] of scratch instead of [N, H*F].
static_assert(kGatContribRows % kRowSumBlock == 0 && kGatContribRows % 16 == 0,
              "chunks must hold whole reduction blocks and whole row blocks");

template <typename T, typename Pass>
void over_rows_summing_contrib(Gat<T>& g, int64_t rows, bool big, Pass pass, T* da) {
  const int64_t HF = g.H * g.F;
  std::vector<double> partial(static_cast<size_t>((rows + kRowSumBlock - 1) / kRowSumBlock * HF));
  for (int64_t r0 = 0; r0 < rows; r0 += kGatContribRows) {
    const int64_t r1 = std::min(rows, r0 + kGatContribRows);
    g.contrib_row0 = r0;
    over_rows(g, big, pass, r0, r1);
    row_block_sums<T>(r1 - r0, HF, g.contrib, partial.data() + r0 / kRowSumBlock * HF);
  }
  finish_row_sums<T>((rows + kRowSumBlock - 1) / kRowSumBlock, HF, partial.data(), da);
}

template <typename T>
Gat<T> make_gat(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F, const int32_t* rowptr,
                const int32_t* col, const int32_t* perm, const T* xs, const T* xt, const T* a_src,
                const T* a_dst, T slope, double p, uint64_t seed, T* scratch) {
  Gat<T> g{};
  g.version = version;
  g.Nt = Nt;
  g.Ns = Ns;
  g.H = H;
  g.F = F;
  g.rowptr = rowptr;
  g.col = col;
  g.perm = perm;
  g.xs = xs;
  g.xt = xt;
  g.a_src = a_src;
  g.a_dst = a_dst;
  g.s_src = scratch;
  g.s_dst = scratch + Ns * H;
  g.slope = slope;
  g.rule = dropout_rule(seed, p);
  g.no_drop = !(p > 0.0);
  g.keep_scale = T(1) / T(1 - p);
  return g;
}

}  // namespace

template <typename T>
void gat_forward(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F, const int32_t* rowptr,
                 const int32_t* col, const int32_t* perm, const T* xs, const T* xt, const T* a_src,
                 const T* a_dst, T slope, double p, uint64_t seed, T* out, T* stats, T* scratch) {
  // GATv1's scores on their own rows: every source's, and only the targets' on that side.
  if (version == 1) {
    node_scores(Ns, H, F, xs, a_src, scratch);
    node_scores(Nt, H, F, xt, a_dst, scratch + Ns * H);
  }
  Gat<T> g = make_gat(version, Nt, Ns, H, F, rowptr, col, perm, xs, xt, a_src, a_dst, slope, p,
                      seed, scratch);
  g.out = out;
  g.stats = stats;
  over_rows(
      g, Nt * H * F >= kParallelMin,
      [](const Gat<T>& gg, int64_t a, int64_t b) { forward_pass(gg, a, b); }, 0, Nt);
}

template <typename T>
void gat_backward(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F, const int32_t* rowptr,
                  const int32_t* col, const int32_t* perm, const int32_t* t_rowptr,
                  const int32_t* t_col, const int32_t* t_perm, const T* xs, const T* xt,
                  const T* a_src, const T* a_dst, T slope, double p, uint64_t seed, const T* out,
                  const T* stats, const T* grad, T* dxs, T* dxt, T* da_src, T* da_dst, T* scratch) {
  const int64_t HF = H * F;
  T* delta = scratch + (Ns + Nt) * H;
  T* contrib = scratch + (Ns + 2 * Nt) * H;  // [kGatContribRows, H*F]: per-node a-vector terms
  if (version == 1) {
    node_scores(Ns, H, F, xs, a_src, scratch);
    node_scores(Nt, H, F, xt, a_dst, scratch + Ns * H);
  }
  // δ_i = Σ_j α_ij ∂L/∂α_ij = ⟨∂L/∂out_i, out_i⟩ per head: the softmax backward's row term.
  node_dots(Nt, H, F, grad, out, delta);
  Gat<T> g = make_gat(version, Nt, Ns, H, F, rowptr, col, perm, xs, xt, a_src, a_dst, slope, p,
                      seed, scratch);
  g.t_rowptr = t_rowptr;
  g.t_col = t_col;
  g.t_perm = t_perm;
  g.fwd_out = out;
  g.fwd_stats = stats;
  g.grad = grad;
  g.delta = delta;
  g.dxs = dxs;
  g.dxt = dxt;
  g.contrib = contrib;
  const bool big = std::max(Nt, Ns) * HF >= kParallelMin;
  auto target = [](const Gat<T>& gg, int64_t a, int64_t b) { target_pass(gg, a, b); };
  auto source = [](const Gat<T>& gg, int64_t a, int64_t b) { source_pass(gg, a, b); };
  // The target pass first: with dxs == dxt the source pass adds onto its rows.
  over_rows_summing_contrib(g, Nt, big, target, version == 1 ? da_dst : da_src);
  // GATv2's source pass writes no attention-vector terms.
  if (version == 1) {
    over_rows_summing_contrib(g, Ns, big, source, da_src);
  } else {
    over_rows(g, big, source, 0, Ns);
  }
}

template <typename T>
void gat_forward_dev(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F,
                     const int32_t* rowptr, const int32_t* col, const int32_t* perm, const T* xs,
                     const T* xt, const T* a_src, const T* a_dst, T slope, double p,
                     const double* seed_bits, T* out, T* stats, T* scratch) {
  gat_forward<T>(version, Nt, Ns, H, F, rowptr, col, perm, xs, xt, a_src, a_dst, slope, p,
                 seed_from_bits(seed_bits), out, stats, scratch);
}

template <typename T>
void gat_backward_dev(int version, int64_t Nt, int64_t Ns, int64_t H, int64_t F,
                      const int32_t* rowptr, const int32_t* col, const int32_t* perm,
                      const int32_t* t_rowptr, const int32_t* t_col, const int32_t* t_perm,
                      const T* xs, const T* xt, const T* a_src, const T* a_dst, T slope, double p,
                      const double* seed_bits, const T* out, const T* stats, const T* grad, T* dxs,
                      T* dxt, T* da_src, T* da_dst, T* scratch) {
  gat_backward<T>(version, Nt, Ns, H, F, rowptr, col, perm, t_rowptr, t_col, t_perm, xs, xt, a_src,
                  a_dst, slope, p, seed_from_bits(seed_bits), out, stats, grad, dxs, dxt, da_src,
                  da_dst, scratch);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_gat 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
