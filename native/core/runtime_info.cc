#include "runtime_info.h"

#include <atomic>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef FATHOM_HAVE_BLAS
#include <cblas.h>
#endif

namespace fathom {

std::string blas_name() {
#ifdef FATHOM_HAVE_BLAS
  switch (openblas_get_parallel()) {
    case 2:
      return "OpenBLAS (OpenMP)";
    case 1:
      return "OpenBLAS (pthreads)";
    default:
      return "OpenBLAS (sequential)";
  }
#else
  return "built-in";
#endif
}

int num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

namespace {
std::atomic<bool> deterministic_mode{false};
}

bool deterministic() { return deterministic_mode.load(std::memory_order_relaxed); }
void set_deterministic(bool on) { deterministic_mode.store(on, std::memory_order_relaxed); }

void set_num_threads(int n) {
  if (n < 1) n = 1;
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
#ifdef FATHOM_HAVE_BLAS
  openblas_set_num_threads(n);
#endif
}

}  // namespace fathom
