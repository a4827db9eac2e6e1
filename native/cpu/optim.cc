// Optimizer updates, elementwise so any thread split gives the same result. Arithmetic runs in
// double per element and is rounded once when stored, so f32 state tracks the f64 formula
// closely; the formulas follow PyTorch's single-tensor (non-fused) Adam and SGD.
#include <cmath>

#include "../core/step_constants.h"
#include "kernels.h"
#include "parallel.h"

namespace fathom::cpu {

namespace {

template <typename T>
void adam_update(int64_t n, T* param, const T* grad, T* m, T* v, double beta1, double beta2,
                 double eps, double weight_decay, double step_size, double bias_correction2_sqrt) {
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

}  // namespace

template <typename T>
void adam_step(int64_t n, T* param, const T* grad, T* m, T* v, double lr, double beta1,
               double beta2, double eps, double weight_decay, int64_t step) {
  const AdamStepConstants c = adam_step_constants(lr, beta1, beta2, step);
  adam_update(n, param, grad, m, v, beta1, beta2, eps, weight_decay, c.step_size,
              c.bias_correction2_sqrt);
}

template <typename T>
void adam_step_dev(int64_t n, T* param, const T* grad, T* m, T* v, double beta1, double beta2,
                   double eps, double weight_decay, const double* consts) {
  adam_update(n, param, grad, m, v, beta1, beta2, eps, weight_decay, consts[0], consts[1]);
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

template <typename T>
void sgd_step_dev(int64_t n, T* param, const T* grad, T* buf, const double* lr_dev, double momentum,
                  double dampening, double weight_decay, bool nesterov, bool first) {
  sgd_step<T>(n, param, grad, buf, lr_dev[0], momentum, dampening, weight_decay, nesterov, first);
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_optim 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cpu
