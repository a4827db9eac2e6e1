// gemm(): OpenBLAS when the build found it (FATHOM_HAVE_BLAS), the built-in blocked kernel
// otherwise, or for shapes the BLAS interface cannot express (dimensions beyond 32-bit ints).
#include <climits>

#include "../core/runtime_info.h"
#include "gemm_blocked.h"
#include "kernels.h"

#ifdef FATHOM_HAVE_BLAS
#include <cblas.h>
#endif

namespace fathom::cpu {
namespace {

#ifdef FATHOM_HAVE_BLAS
// BLAS rejects leading dimensions of 0 even for empty operands, so degenerate shapes are handled
// by the blocked path (which only scales C), as are sizes that do not fit blasint.
bool blas_can_run(int64_t M, int64_t N, int64_t K) {
  return M > 0 && N > 0 && K > 0 && M <= INT_MAX && N <= INT_MAX && K <= INT_MAX;
}

void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint M, blasint N, blasint K, float alpha,
               const float* A, blasint lda, const float* B, blasint ldb, float beta, float* C) {
  cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
}
void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint M, blasint N, blasint K,
               double alpha, const double* A, blasint lda, const double* B, blasint ldb,
               double beta, double* C) {
  cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
}
#endif

}  // namespace

template <typename T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
          const T* B, T beta, T* C) {
#ifdef FATHOM_HAVE_BLAS
  if (!deterministic() && blas_can_run(M, N, K)) {
    const blasint lda = static_cast<blasint>(trans_a ? M : K);
    const blasint ldb = static_cast<blasint>(trans_b ? K : N);
    blas_gemm(trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(M), static_cast<blasint>(N), static_cast<blasint>(K), alpha, A,
              lda, B, ldb, beta, C);
    return;
  }
#endif
  gemm_blocked(trans_a, trans_b, M, N, K, alpha, A, B, beta, C);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_gemm 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
