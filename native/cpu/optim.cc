// Optimizer updates, elementwise so any thread split gives the same result. Arithmetic runs in
// double per element and is rounded once when stored, so f32 state tracks the f64 formula
// closely; the formulas follow PyTorch's single-tensor (non-fused) Adam and SGD.
#include <cmath>

#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {

template <typename T>
void adam_step(int64_t n, T* param, const T* grad, T* m, T* v, double lr, double beta1,
               double beta2, double eps, double weight_decay, int64_t step) {
  const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(step));
  const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(step));
  const double step_size = lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    const double p = static_cast<double>(param[i]);
    double g = static_cast<double>(grad[i]);
    if (weight_decay != 0.0) g += weight_decay * p;
    const double mi = beta1 * static_cast<double>(m[i]) + (1.0 - beta1) * g;
    const double vi = beta2 * static_cast<double>(v[i]) + (1.0 - beta2) * g * g;
    const double denom = std::sqrt(vi) / bias_correction2_sqrt + eps;
    m[i] = static_cast<T>(mi);
    v[i] = static_cast<T>(vi);
    param[i] = static_cast<T>(p - step_size * mi / denom);
  }
}

// buf is only touched when momentum != 0 (PyTorch keeps no buffer otherwise), so callers may
// pass null for plain SGD.
template <typename T>
void sgd_step(int64_t n, T* param, const T* grad, T* buf, double lr, double momentum,
              double dampening, double weight_decay, bool nesterov, bool first) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    const double p = static_cast<double>(param[i]);
    double d = static_cast<double>(grad[i]);
    if (weight_decay != 0.0) d += weight_decay * p;
    if (momentum != 0.0) {
      const double b = first ? d : momentum * static_cast<double>(buf[i]) + (1.0 - dampening) * d;
      buf[i] = static_cast<T>(b);
      d = nesterov ? d + momentum * b : b;
    }
    param[i] = static_cast<T>(p - lr * d);
  }
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_optim 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
