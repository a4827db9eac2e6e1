// Sparse (CSR) x dense. Each output row is gathered from its neighbours' feature rows by a single
// thread, so there are no atomics and no cross-thread sums: bit-identical for any thread count.
//
// Rows are split into chunks of equal nonzero count (power-law graphs put most edges on a few
// rows). Within a row the features are walked in blocks of 256 bytes (64 floats, 32 doubles):
// the block's partial sums stay in vector registers across the row's nonzeros instead of being
// loaded and stored once per nonzero, and the gathered X rows of a few nonzeros ahead are
// prefetched, since on graphs larger than the cache every gather is a miss. Widths up to 16
// (class counts, small feature sets) are compiled as one block of exactly F. Each output element
// is still summed over the row's nonzeros in CSR order, so the blocking changes no result.
//
// The row loop takes an epilogue (scaling and self term, then optionally a bias and a ReLU)
// applied to each block of a finished row before it is stored: spmm and the fused GCN layer
// (spmm_bias_act) are the same loop, and the fused layer writes Y once.
#include <algorithm>
#include <vector>

#include "csr_partition.h"
#include "kernels.h"
#include "simd_clones.h"

namespace fathom::cpu {
namespace {

// AVX2 doubles the vector width where the CPU has it, picked at load time (as in dropout.cc).
// No FMA: separate multiply and add round as the baseline clone does, so every clone (and every
// machine) gives the same bits.

// Nonzeros ahead whose X rows are prefetched: enough to cover a memory latency (~100 ns) at a
// few ns per nonzero, few enough that the lines are still in L1/L2 when used.
constexpr int32_t kPrefetchDistance = 8;

template <typename T>
constexpr int64_t kBlock = 256 / sizeof(T);

template <typename T>
FATHOM_INLINE void prefetch_row(const T* X, int64_t F, int32_t c, int64_t f0, int64_t width) {
  const char* p = reinterpret_cast<const char*>(X + static_cast<int64_t>(c) * F + f0);
  for (int64_t b = 0; b < width * static_cast<int64_t>(sizeof(T)); b += 64)
    __builtin_prefetch(p + b);
}

// Epilogues: what is done to each block of an output row once its neighbour sums are complete,
// before the block is stored. The row loop is compiled once per epilogue type, so plain spmm
// carries no trace of the fused layer's bias and activation.
//
// spmm's own: the scaling and the self term. Skipping the self term when it is zero keeps a
// non-finite X[r] from turning into NaN (0*Inf), and is what lets non-square operators pass
// self_scale = 0.
template <typename T>
struct ScaleSelf {
  T alpha;
  T self_scale;

  // v[0 : n] holds the sums for columns f0 : f0 + n of the row whose X row is xr.
  FATHOM_INLINE void apply(T* __restrict__ v, int64_t n, const T* __restrict__ xr,
                           int64_t f0) const {
    if (self_scale != T(0)) {
      const T* __restrict__ x = xr + f0;
      for (int64_t j = 0; j < n; ++j) v[j] = alpha * v[j] + self_scale * x[j];
    } else if (alpha != T(1)) {
      for (int64_t j = 0; j < n; ++j) v[j] = alpha * v[j];
    }
  }
};

// The fused GCN layer's: ScaleSelf, then the bias, then the ReLU, each a separate pass over
// values still in registers (or in L1, for the tail) with its branch outside the loop. The
// element operations and their rounding are those of spmm, bias_add and relu run one after the
// other, so the fused layer gives the unfused composition's bits.
template <typename T>
struct BiasAct {
  ScaleSelf<T> scale;
  const T* bias;  // null: no bias
  bool relu;

  FATHOM_INLINE void apply(T* __restrict__ v, int64_t n, const T* __restrict__ xr,
                           int64_t f0) const {
    scale.apply(v, n, xr, f0);
    if (bias != nullptr) {
      const T* __restrict__ b = bias + f0;
      for (int64_t j = 0; j < n; ++j) v[j] = v[j] + b[j];
    }
    if (relu) {
      for (int64_t j = 0; j < n; ++j) v[j] = v[j] < T(0) ? T(0) : v[j];
    }
  }
};

// y[f0 : f0 + W] for a full block: W accumulators the compiler keeps in registers, finished by
// the epilogue before the single store.
template <typename T, int64_t W, typename Epi>
FATHOM_INLINE void gather_block(int32_t begin, int32_t end, int32_t nnz, int64_t F, int64_t f0,
                                const int32_t* __restrict__ col, const T* __restrict__ vals,
                                const T* __restrict__ X, int64_t r, const Epi epi,
                                T* __restrict__ y) {
  T acc[W];
  for (int64_t j = 0; j < W; ++j) acc[j] = T(0);
  for (int32_t k = begin; k < end; ++k) {
    if (k + kPrefetchDistance < nnz) prefetch_row(X, F, col[k + kPrefetchDistance], f0, W);
    const T w = vals ? vals[k] : T(1);
    const T* __restrict__ x = X + static_cast<int64_t>(col[k]) * F + f0;
    for (int64_t j = 0; j < W; ++j) acc[j] += w * x[j];
  }
  // The self row X[r] is only read when self_scale != 0, which needs a square operator.
  epi.apply(acc, W, X + r * F, f0);
  for (int64_t j = 0; j < W; ++j) y[f0 + j] = acc[j];
}

// The last, partial block (or narrow features): accumulates in y itself.
template <typename T, typename Epi>
FATHOM_INLINE void gather_tail(int32_t begin, int32_t end, int32_t nnz, int64_t F, int64_t f0,
                               const int32_t* __restrict__ col, const T* __restrict__ vals,
                               const T* __restrict__ X, int64_t r, const Epi epi,
                               T* __restrict__ y) {
  std::fill(y + f0, y + F, T(0));
  for (int32_t k = begin; k < end; ++k) {
    if (k + kPrefetchDistance < nnz) prefetch_row(X, F, col[k + kPrefetchDistance], f0, F - f0);
    const T w = vals ? vals[k] : T(1);
    const T* __restrict__ x = X + static_cast<int64_t>(col[k]) * F;
    for (int64_t f = f0; f < F; ++f) y[f] += w * x[f];
  }
  epi.apply(y + f0, F - f0, X + r * F, f0);
}

// FW > 0: F == FW, a narrow width whose whole row fits one register block (class counts,
// small feature sets); FW = 0: any F, in 256-byte blocks and a tail.
template <typename T, int64_t FW, typename Epi>
FATHOM_INLINE void spmm_rows(int64_t r0, int64_t r1, int64_t F_any, const int32_t* rowptr,
                             const int32_t* col, const T* vals, const T* X, T* Y, const Epi epi) {
  const int64_t F = FW > 0 ? FW : F_any;
  const int32_t nnz = rowptr[r1];
  constexpr int64_t W = FW > 0 ? FW : kBlock<T>;
  const int64_t full = F / W * W;
  for (int64_t r = r0; r < r1; ++r) {
    T* __restrict y = Y + r * F;
    const int32_t begin = rowptr[r], end = rowptr[r + 1];
    for (int64_t f0 = 0; f0 < full; f0 += W)
      gather_block<T, W, Epi>(begin, end, nnz, F, f0, col, vals, X, r, epi, y);
    if (FW == 0 && full < F) gather_tail(begin, end, nnz, F, full, col, vals, X, r, epi, y);
  }
}

template <typename T, typename Epi>
FATHOM_INLINE void spmm_rows_any(int64_t r0, int64_t r1, int64_t F, const int32_t* rowptr,
                                 const int32_t* col, const T* vals, const T* X, T* Y,
                                 const Epi epi) {
#define FATHOM_SPMM_WIDTH(w) \
  case w:                    \
    return spmm_rows<T, w, Epi>(r0, r1, F, rowptr, col, vals, X, Y, epi);
  switch (F) {
    FATHOM_SPMM_WIDTH(1)
    FATHOM_SPMM_WIDTH(2)
    FATHOM_SPMM_WIDTH(3)
    FATHOM_SPMM_WIDTH(4)
    FATHOM_SPMM_WIDTH(5)
    FATHOM_SPMM_WIDTH(6)
    FATHOM_SPMM_WIDTH(7)
    FATHOM_SPMM_WIDTH(8)
    FATHOM_SPMM_WIDTH(9)
    FATHOM_SPMM_WIDTH(10)
    FATHOM_SPMM_WIDTH(11)
    FATHOM_SPMM_WIDTH(12)
    FATHOM_SPMM_WIDTH(13)
    FATHOM_SPMM_WIDTH(14)
    FATHOM_SPMM_WIDTH(15)
    FATHOM_SPMM_WIDTH(16)
    default:
      return spmm_rows<T, 0, Epi>(r0, r1, F, rowptr, col, vals, X, Y, epi);
  }
#undef FATHOM_SPMM_WIDTH
}

// One clone pair per dtype and epilogue: target_clones does not apply to templates.
#define FATHOM_SPMM_CLONE(name, T, Epi)                                                          \
  FATHOM_CLONES void name(int64_t r0, int64_t r1, int64_t F, const int32_t* rowptr,              \
                          const int32_t* col, const T* vals, const T* X, T* Y, const Epi& epi) { \
    spmm_rows_any<T, Epi>(r0, r1, F, rowptr, col, vals, X, Y, epi);                              \
  }                                                                                              \
  inline void spmm_chunk(int64_t r0, int64_t r1, int64_t F, const int32_t* rowptr,               \
                         const int32_t* col, const T* vals, const T* X, T* Y, const Epi& epi) {  \
    name(r0, r1, F, rowptr, col, vals, X, Y, epi);                                               \
  }
FATHOM_SPMM_CLONE(spmm_rows_f32, float, ScaleSelf<float>)
FATHOM_SPMM_CLONE(spmm_rows_f64, double, ScaleSelf<double>)
FATHOM_SPMM_CLONE(spmm_bias_act_rows_f32, float, BiasAct<float>)
FATHOM_SPMM_CLONE(spmm_bias_act_rows_f64, double, BiasAct<double>)
#undef FATHOM_SPMM_CLONE

template <typename T, typename Epi>
void spmm_epilogue(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col,
                   const T* vals, const T* X, T* Y, const Epi& epi) {
  const std::vector<int64_t> bounds = balance_csr_rows(rows, F, rowptr);
  const int64_t chunks = static_cast<int64_t>(bounds.size()) - 1;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    spmm_chunk(bounds[c], bounds[c + 1], F, rowptr, col, vals, X, Y, epi);
  }
}

}  // namespace

template <typename T>
void spmm(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col, const T* vals,
          const T* X, T* Y, T alpha, T self_scale) {
  spmm_epilogue(rows, F, rowptr, col, vals, X, Y, ScaleSelf<T>{alpha, self_scale});
}

template <typename T>
void spmm_bias_act(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col,
                   const T* vals, const T* X, T* Y, T alpha, T self_scale, const T* bias,
                   bool relu) {
  spmm_epilogue(rows, F, rowptr, col, vals, X, Y, BiasAct<T>{{alpha, self_scale}, bias, relu});
}

template <typename T>
void spmm_self_dev(int64_t rows, int64_t F, const int32_t* rowptr, const int32_t* col,
                   const T* vals, const T* X, T* Y, T alpha, double self_base, const T* s) {
  spmm<T>(rows, F, rowptr, col, vals, X, Y, alpha,
          static_cast<T>(self_base + static_cast<double>(s[0])));
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_spmm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
