// GAT attention on the CPU (METHODS.md §2.2): one fused pass per target row computes the logits,
// an online max-subtracted softmax and the weighted aggregation; nothing of size E×H×F is ever
// stored. The backward recomputes every α_ij from the per-node (max, sum) statistics. Each output
// row is written by exactly one thread in a fixed order, so results do not depend on the thread
// count and no atomics are needed.
#include <cmath>
#include <limits>

#include "../core/counter_rng.h"
#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {
namespace {

template <typename T>
inline T lrelu(T z, T slope) {
  return z > T(0) ? z : slope * z;
}

template <typename T>
inline T lrelu_grad(T z, T slope) {
  return z > T(0) ? T(1) : slope;
}

// Eight independent partial sums combined in a fixed order: vectorizable without -ffast-math,
// and the result depends on F alone (not on threads).
template <typename T>
inline T combine(const T* lane) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

template <typename T>
inline T dot(int64_t F, const T* __restrict a, const T* __restrict b) {
  T lane[8] = {};
  int64_t f = 0;
  for (; f + 8 <= F; f += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += a[f + l] * b[f + l];
  }
  for (; f < F; ++f) lane[0] += a[f] * b[f];
  return combine(lane);
}

// GATv2's score Σ_f w_f LeakyReLU(u_f + v_f), with the same fixed-order lanes.
template <typename T>
inline T v2_score(int64_t F, const T* __restrict w, const T* __restrict u, const T* __restrict v,
                  T slope) {
  T lane[8] = {};
  int64_t f = 0;
  for (; f + 8 <= F; f += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += w[f + l] * lrelu(u[f + l] + v[f + l], slope);
  }
  for (; f < F; ++f) lane[0] += w[f] * lrelu(u[f] + v[f], slope);
  return combine(lane);
}

// The dropout counter of CSR entry k whose target is `target` (see kernel_api_gat.inc).
inline uint64_t edge_key(const int32_t* perm, int32_t k, int64_t target) {
  return perm[k] >= 0 ? static_cast<uint64_t>(perm[k])
                      : (uint64_t{1} << 31) + static_cast<uint64_t>(target);
}

// Everything a logit needs; one per call so the passes share the formula.
template <typename T>
struct Logits {
  int version;
  int64_t H, F;
  const T *xs, *xt, *a, *s_src, *s_dst;
  T slope;

  // e_ij for head h.
  T operator()(int64_t i, int64_t j, int64_t h) const {
    if (version == 1) return lrelu(s_src[j * H + h] + s_dst[i * H + h], slope);
    return v2_score(F, a + h * F, xs + (j * H + h) * F, xt + (i * H + h) * F, slope);
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

// Per-row state of the backward: what α_ij and ∂L/∂e_ij need besides the edge itself.
template <typename T>
struct EdgeGrad {
  const Logits<T>* e;
  const T *stats, *delta, *grad, *xs;
  int64_t N;
  DropoutRule rule;
  T keep_scale;

  // Returns ∂L/∂e_ij and sets w = α_ij·keep_ij/(1−p), the weight of xs_j in out_i.
  T operator()(int64_t i, int64_t j, int64_t h, uint64_t key, T* w) const {
    const int64_t H = e->H, F = e->F;
    const T m = stats[i * H + h];
    const T s = stats[N * H + i * H + h];
    const T alpha = std::exp((*e)(i, j, h) - m) / s;
    const T d = dropout_keep(rule, key * static_cast<uint64_t>(H) + static_cast<uint64_t>(h))
                    ? keep_scale
                    : T(0);
    *w = alpha * d;
    const T dalpha = d == T(0) ? T(0) : d * dot(F, grad + (i * H + h) * F, xs + (j * H + h) * F);
    return alpha * (dalpha - delta[i * H + h]);
  }
};

}  // namespace

template <typename T>
void gat_forward(int version, int64_t N, int64_t H, int64_t F, const int32_t* rowptr,
                 const int32_t* col, const int32_t* perm, const T* xs, const T* xt, const T* a_src,
                 const T* a_dst, T slope, double p, uint64_t seed, T* out, T* stats, T* scratch) {
  T* s_src = scratch;
  T* s_dst = scratch + N * H;
  if (version == 1) {
    node_scores(N, H, F, xs, a_src, s_src);
    node_scores(N, H, F, xt, a_dst, s_dst);
  }
  const Logits<T> logit{version, H, F, xs, xt, a_src, s_src, s_dst, slope};
  const DropoutRule rule = dropout_rule(seed, p);
  const T keep_scale = T(1) / T(1 - p);
  const int64_t HF = H * F;
#pragma omp parallel for schedule(dynamic, 16) if (N * HF >= kParallelMin)
  for (int64_t i = 0; i < N; ++i) {
    for (int64_t h = 0; h < H; ++h) {
      T* o = out + i * HF + h * F;
      for (int64_t f = 0; f < F; ++f) o[f] = 0;
      // Online softmax: when a larger logit arrives, what was summed so far is rescaled, so
      // exp never sees a positive argument (stable for logits of any size).
      T m = -std::numeric_limits<T>::infinity();
      T s = 0;
      for (int32_t k = rowptr[i]; k < rowptr[i + 1]; ++k) {
        const int64_t j = col[k];
        const T e = logit(i, j, h);
        if (e > m) {
          const T c = std::exp(m - e);
          s *= c;
          for (int64_t f = 0; f < F; ++f) o[f] *= c;
          m = e;
        }
        const T w = std::exp(e - m);
        s += w;
        const uint64_t idx =
            edge_key(perm, k, i) * static_cast<uint64_t>(H) + static_cast<uint64_t>(h);
        if (dropout_keep(rule, idx)) {
          const T* x = xs + j * HF + h * F;
          for (int64_t f = 0; f < F; ++f) o[f] += w * x[f];
        }
      }
      const T inv = s > T(0) ? keep_scale / s : T(0);
      for (int64_t f = 0; f < F; ++f) o[f] *= inv;
      stats[i * H + h] = s > T(0) ? m : T(0);
      stats[N * H + i * H + h] = s;
    }
  }
}

template <typename T>
void gat_backward(int version, int64_t N, int64_t H, int64_t F, const int32_t* rowptr,
                  const int32_t* col, const int32_t* perm, const int32_t* t_rowptr,
                  const int32_t* t_col, const int32_t* t_perm, const T* xs, const T* xt,
                  const T* a_src, const T* a_dst, T slope, double p, uint64_t seed, const T* out,
                  const T* stats, const T* grad, T* dxs, T* dxt, T* da_src, T* da_dst, T* scratch) {
  const int64_t HF = H * F;
  T* s_src = scratch;
  T* s_dst = scratch + N * H;
  T* delta = scratch + 2 * N * H;
  T* contrib = scratch + 3 * N * H;  // [N, H*F] per-node terms of the attention-vector gradient
  if (version == 1) {
    node_scores(N, H, F, xs, a_src, s_src);
    node_scores(N, H, F, xt, a_dst, s_dst);
  }
  // δ_i = Σ_j α_ij ∂L/∂α_ij = ⟨∂L/∂out_i, out_i⟩ per head: the softmax backward's row term.
  node_dots(N, H, F, grad, out, delta);
  const Logits<T> logit{version, H, F, xs, xt, a_src, s_src, s_dst, slope};
  const EdgeGrad<T> edge{&logit, stats, delta, grad, xs, N, dropout_rule(seed, p), T(1) / T(1 - p)};
  const bool big = N * HF >= kParallelMin;

  // Target side: row i of the CSR gathers ∂L/∂xt_i and node i's share of ∂L/∂a (v2) or ∂L/∂a_dst.
#pragma omp parallel for schedule(dynamic, 16) if (big)
  for (int64_t i = 0; i < N; ++i) {
    for (int64_t h = 0; h < H; ++h) {
      T* gt = dxt + i * HF + h * F;
      T* c = contrib + i * HF + h * F;
      const T* v = xt + i * HF + h * F;
      for (int64_t f = 0; f < F; ++f) gt[f] = c[f] = 0;
      T dsum = 0;
      for (int32_t k = rowptr[i]; k < rowptr[i + 1]; ++k) {
        const int64_t j = col[k];
        T w;
        const T de = edge(i, j, h, edge_key(perm, k, i), &w);
        if (version == 1) {
          dsum += de * lrelu_grad(s_src[j * H + h] + s_dst[i * H + h], slope);
        } else {
          const T* u = xs + j * HF + h * F;
          const T* att = a_src + h * F;
          for (int64_t f = 0; f < F; ++f) {
            const T z = u[f] + v[f];
            gt[f] += de * att[f] * lrelu_grad(z, slope);
            c[f] += de * lrelu(z, slope);
          }
        }
      }
      if (version == 1) {
        for (int64_t f = 0; f < F; ++f) {
          gt[f] = dsum * a_dst[h * F + f];
          c[f] = dsum * v[f];
        }
      }
    }
  }
  sum_rows<T>(N, HF, contrib, version == 1 ? da_dst : da_src);

  // Source side: row j of the transposed CSR gathers ∂L/∂xs_j over the targets i of j.
#pragma omp parallel for schedule(dynamic, 16) if (big)
  for (int64_t j = 0; j < N; ++j) {
    for (int64_t h = 0; h < H; ++h) {
      T* gs = dxs + j * HF + h * F;
      const T* u = xs + j * HF + h * F;
      for (int64_t f = 0; f < F; ++f) gs[f] = 0;
      T dsum = 0;
      for (int32_t k = t_rowptr[j]; k < t_rowptr[j + 1]; ++k) {
        const int64_t i = t_col[k];
        T w;
        const T de = edge(i, j, h, edge_key(t_perm, k, i), &w);
        const T* g = grad + i * HF + h * F;
        for (int64_t f = 0; f < F; ++f) gs[f] += w * g[f];
        if (version == 1) {
          dsum += de * lrelu_grad(s_src[j * H + h] + s_dst[i * H + h], slope);
        } else {
          const T* v = xt + i * HF + h * F;
          const T* att = a_src + h * F;
          for (int64_t f = 0; f < F; ++f) gs[f] += de * att[f] * lrelu_grad(u[f] + v[f], slope);
        }
      }
      if (version == 1) {
        T* c = contrib + j * HF + h * F;
        for (int64_t f = 0; f < F; ++f) {
          gs[f] += dsum * a_src[h * F + f];
          c[f] = dsum * u[f];
        }
      }
    }
  }
  if (version == 1) sum_rows<T>(N, HF, contrib, da_src);
}

#include "../core/gat_instances.inc"

}  // namespace fathom::cpu
