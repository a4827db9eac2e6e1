// Inverted dropout with a counter-based mask: element i's fate depends only on (seed, i), so the
// mask is identical for any thread count and on every backend.
#include "../core/counter_rng.h"
#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {

template <typename T>
void dropout(int64_t n, double p, uint64_t seed, const T* x, T* out, uint8_t* mask) {
  // p >= 1 drops everything; computing 1/(1-p) there would give 0 * Inf = NaN.
  const T scale = p < 1.0 ? static_cast<T>(1.0 / (1.0 - p)) : T(0);
  // The same scale masked_scale() receives in the backward pass, so forward and backward agree.
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    const bool keep = counter_uniform(seed, static_cast<uint64_t>(i)) >= p;
    mask[i] = keep ? 1 : 0;
    out[i] = keep ? x[i] * scale : T(0);
  }
}

template void dropout<float>(int64_t, double, uint64_t, const float*, float*, uint8_t*);
template void dropout<double>(int64_t, double, uint64_t, const double*, double*, uint8_t*);

}  // namespace fathom::cpu
