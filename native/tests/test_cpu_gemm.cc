// GEMM against a naive double-precision reference: every transpose combination, sizes that are
// not multiples of any block or vector width, on the dispatching gemm() (BLAS when built with
// it) and on the built-in blocked kernel, which BLAS builds would otherwise never run.
#include <cmath>
#include <limits>
#include <vector>

#include "check.h"
#include "cpu/gemm_blocked.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using fathom::test::random_vector;
using fathom::test::Tol;

template <typename T>
using GemmFn = void (*)(bool, bool, int64_t, int64_t, int64_t, T, const T*, const T*, T, T*);

// Row-major reference with op() spelled out by index arithmetic.
template <typename T>
std::vector<double> reference(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha,
                              const std::vector<T>& A, const std::vector<T>& B, double beta,
                              const std::vector<T>& C) {
  std::vector<double> out(static_cast<size_t>(M * N));
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const double a = ta ? A[k * M + i] : A[i * K + k];
        const double b = tb ? B[j * K + k] : B[k * N + j];
        acc += a * b;
      }
      out[i * N + j] = alpha * acc + (beta == 0.0 ? 0.0 : beta * static_cast<double>(C[i * N + j]));
    }
  }
  return out;
}

template <typename T>
void check_case(GemmFn<T> gemm, bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha,
                double beta, uint64_t seed) {
  const auto A = random_vector<T>(M * K, seed);
  const auto B = random_vector<T>(K * N, seed + 1);
  auto C = random_vector<T>(M * N, seed + 2);
  if (beta == 0.0) {
    // beta = 0 must overwrite C without reading it: NaN there may not leak into the result.
    C.assign(C.size(), std::numeric_limits<T>::quiet_NaN());
  }
  const auto want = reference(ta, tb, M, N, K, alpha, A, B, beta, C);
  gemm(ta, tb, M, N, K, static_cast<T>(alpha), A.data(), B.data(), static_cast<T>(beta), C.data());
  // |inputs| <= 1, so each result sums at most |alpha|*K + |beta| in magnitude.
  const double scale = std::fabs(alpha) * static_cast<double>(K) + std::fabs(beta);
  CHECK_ALL_CLOSE(C.data(), want.data(), M * N, 0.0, Tol<T>::rel * scale);
}

template <typename T>
void check_all_transposes(GemmFn<T> gemm, int64_t M, int64_t N, int64_t K) {
  uint64_t seed = 1000;
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      check_case<T>(gemm, ta, tb, M, N, K, 1.5, 0.5, seed += 10);
      check_case<T>(gemm, ta, tb, M, N, K, 1.0, 0.0, seed += 10);
      check_case<T>(gemm, ta, tb, M, N, K, -0.75, 1.0, seed += 10);
    }
  }
}

template <typename T>
void check_degenerate(GemmFn<T> gemm) {
  // K = 0: the product is empty, C = beta * C.
  auto C = random_vector<T>(6, 7);
  const auto before = C;
  gemm(false, false, 2, 3, 0, T(1), nullptr, nullptr, T(2), C.data());
  for (size_t i = 0; i < C.size(); ++i) CHECK_EQ(C[i], T(2) * before[i]);
  gemm(true, true, 2, 3, 0, T(1), nullptr, nullptr, T(0), C.data());
  for (size_t i = 0; i < C.size(); ++i) CHECK_EQ(C[i], T(0));
  // M = 0 or N = 0 touches nothing.
  gemm(false, false, 0, 3, 4, T(1), nullptr, nullptr, T(0), nullptr);
  gemm(false, false, 3, 0, 4, T(1), nullptr, nullptr, T(0), nullptr);
  // Vectors: 1 x K times K x 1.
  check_case<T>(gemm, false, false, 1, 1, 17, 1.0, 0.0, 99);
  check_case<T>(gemm, true, true, 1, 7, 1, 2.0, 1.0, 98);
}

GemmFn<float> dispatch_f = &fathom::cpu::gemm<float>;
GemmFn<double> dispatch_d = &fathom::cpu::gemm<double>;
GemmFn<float> blocked_f = &fathom::cpu::gemm_blocked<float>;
GemmFn<double> blocked_d = &fathom::cpu::gemm_blocked<double>;

}  // namespace

TEST(cpu_gemm_odd_sizes_all_transposes) {
  check_all_transposes<float>(dispatch_f, 37, 53, 29);
  check_all_transposes<double>(dispatch_d, 37, 53, 29);
}

TEST(cpu_gemm_blocked_odd_sizes_all_transposes) {
  check_all_transposes<float>(blocked_f, 37, 53, 29);
  check_all_transposes<double>(blocked_d, 37, 53, 29);
}

// Larger than one tile in every dimension (64 x 128 x 128 blocks) and past the threading cutoff.
TEST(cpu_gemm_blocked_multi_tile) {
  check_all_transposes<float>(blocked_f, 150, 261, 139);
  check_all_transposes<double>(blocked_d, 150, 261, 139);
}

TEST(cpu_gemm_multi_tile) {
  check_case<float>(dispatch_f, false, true, 150, 261, 139, 1.0, 0.0, 5);
  check_case<double>(dispatch_d, true, false, 150, 261, 139, 1.0, 1.0, 6);
}

TEST(cpu_gemm_degenerate_shapes) {
  check_degenerate<float>(dispatch_f);
  check_degenerate<double>(dispatch_d);
  check_degenerate<float>(blocked_f);
  check_degenerate<double>(blocked_d);
}

TEST(cpu_gemm_blocked_thread_count_independent) {
#ifdef _OPENMP
  const int64_t M = 200, N = 300, K = 170;
  const auto A = random_vector<float>(M * K, 1);
  const auto B = random_vector<float>(K * N, 2);
  std::vector<float> C1(M * N), C2(M * N);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  fathom::cpu::gemm_blocked<float>(false, false, M, N, K, 1.f, A.data(), B.data(), 0.f, C1.data());
  omp_set_num_threads(2);
  fathom::cpu::gemm_blocked<float>(false, false, M, N, K, 1.f, A.data(), B.data(), 0.f, C2.data());
  omp_set_num_threads(saved);
  CHECK(C1 == C2);
#endif
}
