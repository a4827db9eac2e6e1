// Fused optimizer updates, one grid-stride pass per parameter tensor. The arithmetic is the CPU
// backend's (PyTorch's single-tensor Adam and SGD), per element in double and rounded once on
// store; products and sums are explicitly rounded (no FMA contraction) and the step constants
// are computed on the host with the same library calls, so f64 results match the CPU bit for
// bit and f32 results match it after the single final rounding.
#include <cmath>
#include <cstdint>

#include "../core/step_constants.h"
#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

struct AdamConsts {
  double beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay;
  double step_size, bias_correction2_sqrt;
};

template <typename T>
__global__ void adam_kernel(int64_t n, T* __restrict__ param, const T* __restrict__ grad,
                            T* __restrict__ m, T* __restrict__ v, AdamConsts c,
                            const double* __restrict__ step_dev) {
  if (step_dev != nullptr) {  // adam_step_dev: the step's constants from device memory
    c.step_size = step_dev[0];
    c.bias_correction2_sqrt = step_dev[1];
  }
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    const double p = static_cast<double>(param[i]);
    double g = static_cast<double>(grad[i]);
    if (c.weight_decay != 0.0) g = add_rn(g, mul_rn(c.weight_decay, p));
    const double mi =
        add_rn(mul_rn(c.beta1, static_cast<double>(m[i])), mul_rn(c.one_minus_beta1, g));
    const double vi =
        add_rn(mul_rn(c.beta2, static_cast<double>(v[i])), mul_rn(mul_rn(c.one_minus_beta2, g), g));
    const double denom = add_rn(__ddiv_rn(__dsqrt_rn(vi), c.bias_correction2_sqrt), c.eps);
    m[i] = static_cast<T>(mi);
    v[i] = static_cast<T>(vi);
    param[i] = static_cast<T>(sub_rn(p, __ddiv_rn(mul_rn(c.step_size, mi), denom)));
  }
}

struct SgdConsts {
  double lr, momentum, one_minus_dampening, weight_decay;
  bool nesterov, first;
};

template <typename T>
__global__ void sgd_kernel(int64_t n, T* __restrict__ param, const T* __restrict__ grad,
                           T* __restrict__ buf, SgdConsts c, const double* __restrict__ lr_dev) {
  if (lr_dev != nullptr) c.lr = lr_dev[0];  // sgd_step_dev
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    const double p = static_cast<double>(param[i]);
    double d = static_cast<double>(grad[i]);
    if (c.weight_decay != 0.0) d = add_rn(d, mul_rn(c.weight_decay, p));
    if (c.momentum != 0.0) {
      const double b = c.first ? d
                               : add_rn(mul_rn(c.momentum, static_cast<double>(buf[i])),
                                        mul_rn(c.one_minus_dampening, d));
      buf[i] = static_cast<T>(b);
      d = c.nesterov ? add_rn(d, mul_rn(c.momentum, b)) : b;
    }
    param[i] = static_cast<T>(sub_rn(p, mul_rn(c.lr, d)));
  }
}

AdamConsts adam_consts(double beta1, double beta2, double eps, double weight_decay) {
  AdamConsts c{};
  c.beta1 = beta1;
  c.one_minus_beta1 = 1.0 - beta1;
  c.beta2 = beta2;
  c.one_minus_beta2 = 1.0 - beta2;
  c.eps = eps;
  c.weight_decay = weight_decay;
  return c;
}

SgdConsts sgd_consts(double lr, double momentum, double dampening, double weight_decay,
                     bool nesterov, bool first) {
  SgdConsts c{};
  c.lr = lr;
  c.momentum = momentum;
  c.one_minus_dampening = 1.0 - dampening;
  c.weight_decay = weight_decay;
  c.nesterov = nesterov;
  c.first = first;
  return c;
}

}  // namespace

template <typename T>
void adam_step(int64_t n, T* param, const T* grad, T* m, T* v, double lr, double beta1,
               double beta2, double eps, double weight_decay, int64_t step) {
  if (n <= 0) return;
  AdamConsts c = adam_consts(beta1, beta2, eps, weight_decay);
  const AdamStepConstants k = adam_step_constants(lr, beta1, beta2, step);
  c.step_size = k.step_size;
  c.bias_correction2_sqrt = k.bias_correction2_sqrt;
  adam_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, param, grad, m, v, c, nullptr);
  FATHOM_CUDA_LAUNCH_CHECK("adam_step");
}

template <typename T>
void adam_step_dev(int64_t n, T* param, const T* grad, T* m, T* v, double beta1, double beta2,
                   double eps, double weight_decay, const double* consts) {
  if (n <= 0) return;
  const AdamConsts c = adam_consts(beta1, beta2, eps, weight_decay);
  adam_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, param, grad, m, v, c, consts);
  FATHOM_CUDA_LAUNCH_CHECK("adam_step");
}

// buf is touched only when momentum != 0, so plain SGD may pass null.
template <typename T>
void sgd_step(int64_t n, T* param, const T* grad, T* buf, double lr, double momentum,
              double dampening, double weight_decay, bool nesterov, bool first) {
  if (n <= 0) return;
  const SgdConsts c = sgd_consts(lr, momentum, dampening, weight_decay, nesterov, first);
  sgd_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, param, grad, buf, c, nullptr);
  FATHOM_CUDA_LAUNCH_CHECK("sgd_step");
}

template <typename T>
void sgd_step_dev(int64_t n, T* param, const T* grad, T* buf, const double* lr_dev, double momentum,
                  double dampening, double weight_decay, bool nesterov, bool first) {
  if (n <= 0) return;
  const SgdConsts c = sgd_consts(0.0, momentum, dampening, weight_decay, nesterov, first);
  sgd_kernel<T><<<blocks_for(n), kBlock, 0, launch_stream()>>>(n, param, grad, buf, c, lr_dev);
  FATHOM_CUDA_LAUNCH_CHECK("sgd_step");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_optim 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
