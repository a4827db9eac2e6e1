// Adam and SGD against a naive double-precision transcription of PyTorch's update rules
// (torch.optim.Adam with L2 weight decay and bias correction; torch.optim.SGD with momentum,
// dampening and Nesterov), run for several steps with fresh gradients each step.
#include <cmath>
#include <vector>

#include "check.h"
#include "cpu/kernels.h"
#include "kernel_test_util.h"

namespace {

using fathom::test::random_vector;
using fathom::test::Tol;
namespace cpu = fathom::cpu;

constexpr int kSteps = 6;

struct AdamConfig {
  double lr, beta1, beta2, eps, weight_decay;
};

template <typename T>
void check_adam(int64_t n, AdamConfig c, uint64_t seed) {
  auto param = random_vector<T>(n, seed);
  std::vector<T> m(static_cast<size_t>(n), T(0)), v(static_cast<size_t>(n), T(0));
  std::vector<double> rp(param.begin(), param.end()), rm(n, 0.0), rv(n, 0.0);
  for (int64_t step = 1; step <= kSteps; ++step) {
    const auto grad = random_vector<T>(n, seed + 100 * step);
    cpu::adam_step<T>(n, param.data(), grad.data(), m.data(), v.data(), c.lr, c.beta1, c.beta2,
                      c.eps, c.weight_decay, step);
    const double bc1 = 1.0 - std::pow(c.beta1, step), bc2 = 1.0 - std::pow(c.beta2, step);
    for (int64_t i = 0; i < n; ++i) {
      const double g = grad[i] + c.weight_decay * rp[i];
      rm[i] = c.beta1 * rm[i] + (1 - c.beta1) * g;
      rv[i] = c.beta2 * rv[i] + (1 - c.beta2) * g * g;
      rp[i] -= (c.lr / bc1) * rm[i] / (std::sqrt(rv[i]) / std::sqrt(bc2) + c.eps);
    }
  }
  // Parameters are O(1) and each step moves them by at most ~lr; states are rounded to T once
  // per step, so a few steps compound a few units of T's roundoff.
  CHECK_ALL_CLOSE(param.data(), rp.data(), n, Tol<T>::rel, Tol<T>::rel);
  CHECK_ALL_CLOSE(m.data(), rm.data(), n, Tol<T>::rel, Tol<T>::rel * 1e-3);
  CHECK_ALL_CLOSE(v.data(), rv.data(), n, Tol<T>::rel, Tol<T>::rel * 1e-6);
}

// Step 1 without weight decay: m/bc1 = g and sqrt(v/bc2) = |g|, so each parameter moves by
// -lr * g / (|g| + eps), i.e. lr against the sign of its gradient. Independent of the
// reference above, in case both transcribe the formula the same wrong way.
void check_adam_first_step_is_sign_step() {
  const int64_t n = 1000;
  auto p = random_vector<double>(n, 5);
  const auto p0 = p;
  const auto g = random_vector<double>(n, 6);
  std::vector<double> m(n, 0.0), v(n, 0.0);
  cpu::adam_step<double>(n, p.data(), g.data(), m.data(), v.data(), 0.01, 0.9, 0.999, 1e-8, 0.0, 1);
  std::vector<double> want(n);
  for (int64_t i = 0; i < n; ++i) want[i] = p0[i] - 0.01 * g[i] / (std::fabs(g[i]) + 1e-8);
  CHECK_ALL_CLOSE(p.data(), want.data(), n, 1e-12, 1e-14);
}

struct SgdConfig {
  double lr, momentum, dampening, weight_decay;
  bool nesterov;
};

template <typename T>
void check_sgd(int64_t n, SgdConfig c, uint64_t seed) {
  auto param = random_vector<T>(n, seed);
  std::vector<T> buf(static_cast<size_t>(n), T(123));  // garbage: step 1 must not read it
  std::vector<double> rp(param.begin(), param.end()), rb(n, 0.0);
  for (int64_t step = 1; step <= kSteps; ++step) {
    const auto grad = random_vector<T>(n, seed + 100 * step);
    const bool first = step == 1;
    cpu::sgd_step<T>(n, param.data(), grad.data(), c.momentum != 0 ? buf.data() : nullptr, c.lr,
                     c.momentum, c.dampening, c.weight_decay, c.nesterov, first);
    for (int64_t i = 0; i < n; ++i) {
      double d = grad[i] + c.weight_decay * rp[i];
      if (c.momentum != 0) {
        rb[i] = first ? d : c.momentum * rb[i] + (1 - c.dampening) * d;
        d = c.nesterov ? d + c.momentum * rb[i] : rb[i];
      }
      rp[i] -= c.lr * d;
    }
  }
  CHECK_ALL_CLOSE(param.data(), rp.data(), n, Tol<T>::rel, Tol<T>::rel);
  if (c.momentum != 0) CHECK_ALL_CLOSE(buf.data(), rb.data(), n, Tol<T>::rel, Tol<T>::rel);
}

}  // namespace

TEST(cpu_adam_matches_pytorch_formula) {
  const AdamConfig plain{1e-3, 0.9, 0.999, 1e-8, 0.0};
  const AdamConfig decayed{5e-3, 0.8, 0.99, 1e-6, 5e-4};
  check_adam<float>(40000, plain, 1);  // past the threading cutoff
  check_adam<double>(40000, plain, 2);
  check_adam<float>(1001, decayed, 3);
  check_adam<double>(1001, decayed, 4);
  check_adam_first_step_is_sign_step();
}

TEST(cpu_sgd_matches_pytorch_formula) {
  const SgdConfig configs[] = {
      {0.1, 0.0, 0.0, 0.0, false},    // plain SGD, no buffer
      {0.05, 0.0, 0.0, 1e-2, false},  // weight decay only
      {0.05, 0.9, 0.1, 1e-3, false},  // momentum with dampening
      {0.05, 0.9, 0.0, 1e-3, true},   // Nesterov
  };
  uint64_t seed = 10;
  for (const SgdConfig& c : configs) {
    check_sgd<float>(40000, c, seed++);
    check_sgd<double>(777, c, seed++);
  }
}
