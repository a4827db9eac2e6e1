// The built-in GEMM: a shared-memory tiled kernel (64x64 output tile per 256-thread block,
// 16-deep K slices, a 4x4 micro-tile per thread) handling both transposes and ragged edges.
// gemm<T> uses it when the build has no cuBLAS; it is compiled in every CUDA build so the GPU
// tests can compare it against cuBLAS. Same contract as gemm in core/kernel_api.inc:
//   C[M,N] = alpha * op(A) op(B) + beta * C, row-major; beta == 0 never reads C.
#pragma once
#include <cstdint>

namespace fathom::cuda {

template <typename T>
void gemm_tiled(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                const T* B, T beta, T* C);

}  // namespace fathom::cuda
