// Shared threading policy for the CPU kernels. Every kernel partitions work so that each output
// element is produced by exactly one thread in a fixed order: results are bit-identical for any
// OMP_NUM_THREADS, which the tests (and reproducible training runs) rely on.
#pragma once
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace fathom::cpu {

// Below this many elements a parallel region costs more than the loop it splits.
constexpr int64_t kParallelMin = 32768;

inline int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace fathom::cpu
