// PairNorm: argument checks and dispatch (kernels in cpu/norm.cc and cuda/norm.cu).
#include "norm.h"

#include <cmath>

#include "dispatch.h"

namespace fathom::ops {
using namespace detail;

namespace {

void require_pair_norm_args(const char* op, const Tensor& x, double scale, double eps) {
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  FATHOM_CHECK(
      std::isfinite(scale) && scale > 0.0, ErrorKind::Range, op,
      "argument scale = " + num(scale) + " must be a finite number > 0 (x is " + brief(x) + ")");
  FATHOM_CHECK(
      std::isfinite(eps) && eps >= 0.0, ErrorKind::Range, op,
      "argument eps = " + num(eps) + " must be a finite number >= 0 (x is " + brief(x) + ")");
}

}  // namespace

Tensor pair_norm(const Tensor& x, double scale, double eps, bool individual) {
  const char* op = "pairNorm";
  require_pair_norm_args(op, x, scale, eps);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.numel() == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(
        op, x.device(),
        pair_norm<T>(x.shape()[0], x.shape()[1], ptr<T>(x), scale, eps, individual, ptr<T>(out)));
  });
  return out;
}

Tensor pair_norm_backward(const Tensor& grad, const Tensor& x, double scale, double eps,
                          bool individual) {
  const char* op = "pairNormBackward";
  require_pair_norm_args(op, x, scale, eps);
  require_like(op, "x", x, "grad", grad);
  Tensor dx = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.numel() == 0) return dx;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(),
                  pair_norm_backward<T>(x.shape()[0], x.shape()[1], ptr<T>(x), ptr<T>(grad), scale,
                                        eps, individual, ptr<T>(dx)));
  });
  return dx;
}

}  // namespace fathom::ops
