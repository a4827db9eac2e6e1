// The per-step constants of the optimizer updates, computed on the host from the step's
// learning rate and count. One definition for the CPU kernel, the CUDA launcher and a compiled
// step that captures a CUDA graph (which computes them before each launch and hands them to the
// kernel through device memory), so all three use the same doubles.
#pragma once
#include <cmath>
#include <cstdint>

namespace fathom {

struct AdamStepConstants {
  double step_size;              // lr / (1 - beta1^step)
  double bias_correction2_sqrt;  // sqrt(1 - beta2^step)
};

inline AdamStepConstants adam_step_constants(double lr, double beta1, double beta2, int64_t step) {
  const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(step));
  const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(step));
  return {lr / bias_correction1, std::sqrt(bias_correction2)};
}

}  // namespace fathom
