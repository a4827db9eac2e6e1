// Tensor-level normalization ops (docs/methods.md §2.5): validation, allocation, dispatch.
#pragma once
#include "../core/tensor.h"

namespace fathom::ops {

// PairNorm of a 2-D float tensor x [N, F]. individual = false: PN; true: PN-SI. s > 0 is the
// scale, eps >= 0 keeps the square root away from 0 (the centered rows all vanish when every
// node is equal).
Tensor pair_norm(const Tensor& x, double scale, double eps, bool individual);
// ∂L/∂x from grad = ∂L/∂out and the forward input x.
Tensor pair_norm_backward(const Tensor& grad, const Tensor& x, double scale, double eps,
                          bool individual);

}  // namespace fathom::ops
