// Layer normalization over the last dimension of a 2-D input: validation, allocation and dispatch
// around the kernels of core/kernel_list.inc. Every error names the op, the argument
// and the shapes.
#pragma once
#include "../core/tensor.h"

namespace fathom::ops {

struct LayerNormResult {
  Tensor out;    // [N, F], x's dtype and device
  Tensor stats;  // f64 [2, N] on x's device: row 0 the row means, row 1 the rstd 1/sqrt(var + eps)
};

struct LayerNormGrads {
  Tensor dx, dweight, dbias;  // undefined where not asked for
};

// y = (x − mean_row) / sqrt(var_row + eps) ⊙ weight + bias for x [N, F] (f32 or f64, F >= 1),
// biased variance; weight and bias [F] of x's dtype and device, each optional (undefined: 1 and
// 0). eps must be finite and > 0.
LayerNormResult layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);

// Gradients from grad = ∂L/∂y, the forward input x, its weight (undefined when it had none) and
// the forward's stats. want_weight needs a weight; dbias needs nothing but grad.
LayerNormGrads layer_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& weight,
                                   const Tensor& stats, bool want_x, bool want_weight,
                                   bool want_bias);

}  // namespace fathom::ops
