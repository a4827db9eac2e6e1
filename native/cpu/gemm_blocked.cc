// Cache-blocked GEMM. C is cut into MC x NC tiles, one tile per task; each task walks K in KC
// slabs, packing op(A) and op(B) slabs into contiguous row-major buffers (which also absorbs both
// transposes) and accumulating into a private tile. A C element is owned by one task and its K
// sum always runs in increasing k, so results do not depend on the thread count.
#include "gemm_blocked.h"

#include <algorithm>
#include <vector>

#include "parallel.h"

namespace fathom::cpu {
namespace {

// Packed slabs: A is MC*KC, B is KC*NC and the tile MC*NC; at double that is 64 + 128 + 64 KiB,
// sized to stay in L2 while the micro-kernel streams B rows through L1.
constexpr int64_t kMC = 64;
constexpr int64_t kNC = 128;
constexpr int64_t kKC = 128;

// op(A)[i0:i0+mc, k0:k0+kc] -> Ap (mc x kc, row-major).
template <typename T>
void pack_a(bool trans, int64_t M, int64_t K, const T* A, int64_t i0, int64_t mc, int64_t k0,
            int64_t kc, T* Ap) {
  for (int64_t i = 0; i < mc; ++i) {
    T* dst = Ap + i * kc;
    if (!trans) {
      const T* src = A + (i0 + i) * K + k0;
      for (int64_t k = 0; k < kc; ++k) dst[k] = src[k];
    } else {
      const T* src = A + k0 * M + (i0 + i);
      for (int64_t k = 0; k < kc; ++k) dst[k] = src[k * M];
    }
  }
}

// op(B)[k0:k0+kc, j0:j0+nc] -> Bp (kc x nc, row-major).
template <typename T>
void pack_b(bool trans, int64_t N, int64_t K, const T* B, int64_t k0, int64_t kc, int64_t j0,
            int64_t nc, T* Bp) {
  for (int64_t k = 0; k < kc; ++k) {
    T* dst = Bp + k * nc;
    if (!trans) {
      const T* src = B + (k0 + k) * N + j0;
      for (int64_t j = 0; j < nc; ++j) dst[j] = src[j];
    } else {
      const T* src = B + j0 * K + (k0 + k);
      for (int64_t j = 0; j < nc; ++j) dst[j] = src[j * K];
    }
  }
}

// acc[mc x nc] += Ap[mc x kc] * Bp[kc x nc]. Four rows at a time so each loaded B row feeds
// four FMA streams; the j loop is unit-stride and vectorises.
template <typename T>
void micro_kernel(int64_t mc, int64_t nc, int64_t kc, const T* Ap, const T* Bp, T* acc) {
  int64_t i = 0;
  for (; i + 4 <= mc; i += 4) {
    T* __restrict c0 = acc + (i + 0) * nc;
    T* __restrict c1 = acc + (i + 1) * nc;
    T* __restrict c2 = acc + (i + 2) * nc;
    T* __restrict c3 = acc + (i + 3) * nc;
    for (int64_t k = 0; k < kc; ++k) {
      const T a0 = Ap[(i + 0) * kc + k];
      const T a1 = Ap[(i + 1) * kc + k];
      const T a2 = Ap[(i + 2) * kc + k];
      const T a3 = Ap[(i + 3) * kc + k];
      const T* __restrict b = Bp + k * nc;
      for (int64_t j = 0; j < nc; ++j) {
        const T bj = b[j];
        c0[j] += a0 * bj;
        c1[j] += a1 * bj;
        c2[j] += a2 * bj;
        c3[j] += a3 * bj;
      }
    }
  }
  for (; i < mc; ++i) {
    T* __restrict c = acc + i * nc;
    for (int64_t k = 0; k < kc; ++k) {
      const T a = Ap[i * kc + k];
      const T* __restrict b = Bp + k * nc;
      for (int64_t j = 0; j < nc; ++j) c[j] += a * b[j];
    }
  }
}

template <typename T>
void scale_c(int64_t M, int64_t N, T beta, T* C) {
  const int64_t n = M * N;
  if (beta == T(0)) {
    std::fill(C, C + n, T(0));
  } else if (beta != T(1)) {
    for (int64_t i = 0; i < n; ++i) C[i] *= beta;
  }
}

}  // namespace

template <typename T>
void gemm_blocked(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                  const T* B, T beta, T* C) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == T(0)) {
    scale_c(M, N, beta, C);
    return;
  }
  const int64_t tiles_m = (M + kMC - 1) / kMC;
  const int64_t tiles_n = (N + kNC - 1) / kNC;
  const int64_t tiles = tiles_m * tiles_n;
  [[maybe_unused]] const bool parallel = tiles > 1 && M * N * K >= kParallelMin * 16;
#pragma omp parallel if (parallel)
  {
    std::vector<T> Ap(static_cast<size_t>(kMC * kKC));
    std::vector<T> Bp(static_cast<size_t>(kKC * kNC));
    std::vector<T> acc(static_cast<size_t>(kMC * kNC));
#pragma omp for schedule(static)
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t i0 = (t / tiles_n) * kMC;
      const int64_t j0 = (t % tiles_n) * kNC;
      const int64_t mc = std::min(kMC, M - i0);
      const int64_t nc = std::min(kNC, N - j0);
      std::fill(acc.begin(), acc.begin() + mc * nc, T(0));
      for (int64_t k0 = 0; k0 < K; k0 += kKC) {
        const int64_t kc = std::min(kKC, K - k0);
        pack_a(trans_a, M, K, A, i0, mc, k0, kc, Ap.data());
        pack_b(trans_b, N, K, B, k0, kc, j0, nc, Bp.data());
        micro_kernel(mc, nc, kc, Ap.data(), Bp.data(), acc.data());
      }
      for (int64_t i = 0; i < mc; ++i) {
        T* c = C + (i0 + i) * N + j0;
        const T* a = acc.data() + i * nc;
        if (beta == T(0)) {
          for (int64_t j = 0; j < nc; ++j) c[j] = alpha * a[j];
        } else {
          for (int64_t j = 0; j < nc; ++j) c[j] = alpha * a[j] + beta * c[j];
        }
      }
    }
  }
}

template void gemm_blocked<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*,
                                  const float*, float, float*);
template void gemm_blocked<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*,
                                   const double*, double, double*);

}  // namespace fathom::cpu
