// The built-in GEMM used when no BLAS was found at build time. Exposed on its own so tests can
// exercise it in BLAS builds too; same contract as gemm() in core/kernel_api.inc.
#pragma once
#include <cstdint>

namespace fathom::cpu {

// C[M,N] = alpha * op(A) op(B) + beta * C. beta == 0 overwrites C without reading it (as BLAS
// does, so NaN in uninitialised output memory never leaks through).
template <typename T>
void gemm_blocked(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                  const T* B, T beta, T* C);

}  // namespace fathom::cpu
