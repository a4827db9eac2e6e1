// Dense GEMM on the GPU, row-major as in core/kernel_api.inc.
//
// When libcublas loads at run time (cublas_loader.h) the product goes to cublasSgemm/Dgemm
// through the usual row-major trick: a row-major [r,c] matrix is the column-major [c,r] matrix of
// its transpose, so C^T = op(B)^T op(A)^T is a column-major GEMM with the operands swapped.
// Without cuBLAS, and for sizes cuBLAS's int API cannot express, the tiled kernel below runs.
#include <climits>
#include <cstdint>
#include <mutex>
#include <string>

#include "common.cuh"
#include "cublas_loader.h"
#include "gemm_tiled.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

// ---- tiled kernel -------------------------------------------------------------------------

constexpr int kBM = 64;         // output rows per block tile
constexpr int kBN = 64;         // output columns per block tile
constexpr int kBK = 16;         // depth of one K slice
constexpr int kTM = 4;          // micro-tile rows per thread
constexpr int kTN = 4;          // micro-tile columns per thread
constexpr int kThreads = 256;   // (kBM / kTM) * (kBN / kTN)
constexpr int kTX = kBN / kTN;  // 16 threads across a tile's columns
constexpr int kTY = kBM / kTM;  // 16 threads down a tile's rows
static_assert(kTX * kTY == kThreads, "one thread per micro-tile");
static_assert(kBM * kBK % kThreads == 0 && kBN * kBK % kThreads == 0, "even tile loads");
constexpr int kLoadsA = kBM * kBK / kThreads;  // 4
constexpr int kLoadsB = kBN * kBK / kThreads;  // 4

// Block (bx, by) owns output tiles (bx + i*gridDim.x, by + j*gridDim.y): the tile loops are
// uniform across the block, so the barriers inside them are safe. Thread (tx, ty) owns rows
// ty + 16*i and columns tx + 16*j of the tile (strided, so a warp's shared-memory reads of B
// and its global stores of C are contiguous). Loads of A and B are laid out so consecutive
// threads read consecutive addresses of the source matrix whichever way it is stored.
template <typename T, bool TA, bool TB>
__global__ void __launch_bounds__(kThreads)
    gemm_tiled_kernel(int64_t M, int64_t N, int64_t K, T alpha, const T* __restrict__ A,
                      const T* __restrict__ B, T beta, T* __restrict__ C) {
  __shared__ T As[kBK][kBM + 1];  // As[k][m] = op(A)[m0 + m, k0 + k]
  __shared__ T Bs[kBK][kBN + 1];  // Bs[k][n] = op(B)[k0 + k, n0 + n]
  const int tid = threadIdx.x;
  const int tx = tid % kTX;
  const int ty = tid / kTX;
  const int64_t tiles_m = (M + kBM - 1) / kBM;
  const int64_t tiles_n = (N + kBN - 1) / kBN;

  for (int64_t tm = blockIdx.x; tm < tiles_m; tm += gridDim.x) {
    for (int64_t tn = blockIdx.y; tn < tiles_n; tn += gridDim.y) {
      const int64_t m0 = tm * kBM;
      const int64_t n0 = tn * kBN;
      T acc[kTM][kTN];
#pragma unroll
      for (int i = 0; i < kTM; ++i) {
#pragma unroll
        for (int j = 0; j < kTN; ++j) acc[i][j] = T(0);
      }

      for (int64_t k0 = 0; k0 < K; k0 += kBK) {
#pragma unroll
        for (int l = 0; l < kLoadsA; ++l) {
          const int idx = tid + l * kThreads;
          // op(A)[m,k] is A[m*K + k] (k contiguous) or, transposed, A[k*M + m] (m contiguous).
          const int m = TA ? idx % kBM : idx / kBK;
          const int k = TA ? idx / kBM : idx % kBK;
          const int64_t gm = m0 + m;
          const int64_t gk = k0 + k;
          T v = T(0);
          if (gm < M && gk < K) v = TA ? A[gk * M + gm] : A[gm * K + gk];
          As[k][m] = v;
        }
#pragma unroll
        for (int l = 0; l < kLoadsB; ++l) {
          const int idx = tid + l * kThreads;
          // op(B)[k,n] is B[k*N + n] (n contiguous) or, transposed, B[n*K + k] (k contiguous).
          const int n = TB ? idx / kBK : idx % kBN;
          const int k = TB ? idx % kBK : idx / kBN;
          const int64_t gn = n0 + n;
          const int64_t gk = k0 + k;
          T v = T(0);
          if (gn < N && gk < K) v = TB ? B[gn * K + gk] : B[gk * N + gn];
          Bs[k][n] = v;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < kBK; ++kk) {
          T a[kTM];
          T b[kTN];
#pragma unroll
          for (int i = 0; i < kTM; ++i) a[i] = As[kk][ty + kTY * i];
#pragma unroll
          for (int j = 0; j < kTN; ++j) b[j] = Bs[kk][tx + kTX * j];
#pragma unroll
          for (int i = 0; i < kTM; ++i) {
#pragma unroll
            for (int j = 0; j < kTN; ++j) acc[i][j] += a[i] * b[j];
          }
        }
        __syncthreads();
      }

#pragma unroll
      for (int i = 0; i < kTM; ++i) {
        const int64_t gm = m0 + ty + kTY * i;
        if (gm >= M) continue;
#pragma unroll
        for (int j = 0; j < kTN; ++j) {
          const int64_t gn = n0 + tx + kTX * j;
          if (gn >= N) continue;
          T* c = C + gm * N + gn;
          *c = beta == T(0) ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *c;
        }
      }
    }
  }
}

template <typename T, bool TA, bool TB>
void launch_tiled(int64_t M, int64_t N, int64_t K, T alpha, const T* A, const T* B, T beta, T* C) {
  const int64_t tiles_m = (M + kBM - 1) / kBM;
  const int64_t tiles_n = (N + kBN - 1) / kBN;
  const dim3 grid(static_cast<unsigned>(std::min<int64_t>(tiles_m, int64_t(1) << 24)),
                  static_cast<unsigned>(std::min<int64_t>(tiles_n, 65535)));
  gemm_tiled_kernel<T, TA, TB>
      <<<grid, kThreads, 0, launch_stream()>>>(M, N, K, alpha, A, B, beta, C);
  FATHOM_CUDA_LAUNCH_CHECK("gemm");
}

// ---- cuBLAS -------------------------------------------------------------------------------

std::string blas_error(const cublas::Api& b, cublas::Status s) {
  return std::string(b.status_name(s)) + ": " + b.status_string(s);
}

// One handle for the process, created on first use (never at load time) and never destroyed
// (destroying it from a static destructor could run after the CUDA runtime has unloaded).
// cuBLAS handles must not be used by two host threads at once, hence the lock around calls.
std::mutex& blas_mutex() {
  static std::mutex* m = new std::mutex();
  return *m;
}

// The handle, or nullptr when cuBLAS loaded but cannot serve this GPU (then it is disabled and
// the tiled kernel runs, as on a machine without it). Out of memory is an error, not a fallback.
cublas::Handle blas_handle_locked(const cublas::Api& b) {
  static cublas::Handle handle = nullptr;
  if (handle == nullptr) {
    cublas::Handle h = nullptr;
    const cublas::Status s = b.create(&h);
    if (s != cublas::kStatusSuccess) {
      (void)cudaGetLastError();
      if (s == cublas::kStatusAllocFailed) {
        fail(ErrorKind::OutOfMemory, "gemm",
             "could not create the cuBLAS handle: " + blas_error(b, s));
      }
      cublas::disable(b.path + " loaded but cublasCreate failed (" + blas_error(b, s) +
                      "); GEMM uses the built-in kernel");
      return nullptr;
    }
    // Full-precision FP32 (no TF32), host-side alpha/beta, the legacy default stream.
    b.set_math_mode(h, cublas::kDefaultMath);
    b.set_pointer_mode(h, cublas::kPointerModeHost);
    b.set_stream(h, nullptr);
    handle = h;
  }
  return handle;
}

// cuBLAS's workspace for the handle (32 MiB, what cuBLAS 12 takes on Hopper by default), made
// once, outside any capture, and never freed; null when the library cannot take one. Caller
// holds the cuBLAS lock.
constexpr size_t kBlasWorkspace = size_t(32) << 20;
void* blas_workspace(const cublas::Api& b) {
  static void* ws = nullptr;
  static bool tried = false;
  if (tried || b.set_workspace == nullptr) return ws;
  if (capturing()) return nullptr;  // first GEMM inside a capture: cuBLAS keeps its default
  tried = true;
  if (cudaMalloc(&ws, kBlasWorkspace) != cudaSuccess) {
    (void)cudaGetLastError();
    ws = nullptr;
  }
  return ws;
}

cublas::Status blas_gemm(const cublas::Api& b, cublas::Handle h, int ta, int tb, int m, int n,
                         int k, const float* alpha, const float* A, int lda, const float* B,
                         int ldb, const float* beta, float* C, int ldc) {
  return b.sgemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}
cublas::Status blas_gemm(const cublas::Api& b, cublas::Handle h, int ta, int tb, int m, int n,
                         int k, const double* alpha, const double* A, int lda, const double* B,
                         int ldb, const double* beta, double* C, int ldc) {
  return b.dgemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

// False when cuBLAS cannot serve this GPU (the caller runs the tiled kernel instead).
template <typename T>
bool gemm_cublas(const cublas::Api& b, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                 T alpha, const T* A, const T* B, T beta, T* C) {
  // Column-major view: C^T [N,M] = op(B)^T [N,K] * op(A)^T [K,M].
  const int m = static_cast<int>(N);
  const int n = static_cast<int>(M);
  const int k = static_cast<int>(K);
  const int ldb = static_cast<int>(trans_b ? K : N);  // B is [K,N] or, transposed, [N,K]
  const int lda = static_cast<int>(trans_a ? M : K);  // A is [M,K] or, transposed, [K,M]
  const int ldc = static_cast<int>(N);
  std::lock_guard<std::mutex> lock(blas_mutex());
  cublas::Handle h = blas_handle_locked(b);
  if (h == nullptr) return false;
  // This thread's stream: the legacy one, or a compiled step's while it captures its graph.
  const cublas::Status ss = b.set_stream(h, launch_stream());
  if (ss != cublas::kStatusSuccess) {
    (void)cudaGetLastError();
    fail(ErrorKind::Internal, "gemm", "cublasSetStream failed: " + blas_error(b, ss));
  }
  // Its own workspace (cublasSetStream just reset it): a GEMM inside a graph capture must not make
  // cuBLAS allocate one. Graph launches and the legacy stream never overlap, so one serves both.
  if (void* ws = blas_workspace(b)) {
    const cublas::Status ws_status = b.set_workspace(h, ws, kBlasWorkspace);
    if (ws_status != cublas::kStatusSuccess) {
      (void)cudaGetLastError();
      fail(ErrorKind::Internal, "gemm", "cublasSetWorkspace failed: " + blas_error(b, ws_status));
    }
  }
  const cublas::Status s =
      blas_gemm(b, h, trans_b ? cublas::kOpT : cublas::kOpN, trans_a ? cublas::kOpT : cublas::kOpN,
                m, n, k, &alpha, B, ldb, A, lda, &beta, C, ldc);
  if (s != cublas::kStatusSuccess) {
    (void)cudaGetLastError();
    fail(ErrorKind::Internal, "gemm", "cuBLAS GEMM failed: " + blas_error(b, s));
  }
  FATHOM_CUDA_LAUNCH_CHECK("gemm");
  return true;
}

}  // namespace

template <typename T>
void gemm_tiled(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                const T* B, T beta, T* C) {
  if (M <= 0 || N <= 0) return;
  if (trans_a) {
    if (trans_b) {
      launch_tiled<T, true, true>(M, N, K, alpha, A, B, beta, C);
    } else {
      launch_tiled<T, true, false>(M, N, K, alpha, A, B, beta, C);
    }
  } else {
    if (trans_b) {
      launch_tiled<T, false, true>(M, N, K, alpha, A, B, beta, C);
    } else {
      launch_tiled<T, false, false>(M, N, K, alpha, A, B, beta, C);
    }
  }
}

template <typename T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
          const T* B, T beta, T* C) {
  if (M <= 0 || N <= 0) return;
  // K == 0 (C = beta*C, A and B unread) goes to the tiled kernel, whose semantics for it are
  // spelled out; so do sizes beyond cuBLAS's 32-bit arguments.
  const bool fits_int = M <= INT_MAX && N <= INT_MAX && K <= INT_MAX;
  if (K > 0 && fits_int) {
    const cublas::Api* b = cublas::api();
    if (b != nullptr && gemm_cublas<T>(*b, trans_a, trans_b, M, N, K, alpha, A, B, beta, C)) return;
  }
  gemm_tiled<T>(trans_a, trans_b, M, N, K, alpha, A, B, beta, C);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_gemm 1
#include "../core/kernel_instances.inc"

// The tiled kernel is this backend's own (cuda/gemm_tiled.cuh), outside the kernel list.
template void gemm_tiled<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*,
                                const float*, float, float*);
template void gemm_tiled<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*,
                                 const double*, double, double*);

}  // namespace fathom::cuda
