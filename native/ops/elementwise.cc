// Elementwise arithmetic: linear combinations, products, bias broadcast.
#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

namespace {

// out = alpha * x + beta * y (y may be undefined: out = alpha * x). out may alias x.
void axpby_into(const char* op, double alpha, const Tensor& x, double beta, const Tensor* y,
                const Tensor& out) {
  if (x.numel() == 0) return;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    const T* py = y ? ptr<T>(*y) : nullptr;
    FATHOM_LAUNCH(op, x.device(),
                  axpby<T>(x.numel(), T(alpha), ptr<T>(x), T(beta), py, ptr<T>(out)));
  });
}

Tensor binary_axpby(const char* op, double alpha, const Tensor& x, double beta, const Tensor& y) {
  require_floating(op, "x", x);
  require_like(op, "x", x, "y", y);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  axpby_into(op, alpha, x, beta, &y, out);
  return out;
}

}  // namespace

Tensor axpby(double alpha, const Tensor& x, double beta, const Tensor& y) {
  const char* op = "axpby";
  require_finite(op, "alpha", alpha);
  require_finite(op, "beta", beta);
  return binary_axpby(op, alpha, x, beta, y);
}

Tensor add(const Tensor& x, const Tensor& y) { return binary_axpby("add", 1.0, x, 1.0, y); }

Tensor sub(const Tensor& x, const Tensor& y) { return binary_axpby("sub", 1.0, x, -1.0, y); }

Tensor scale(const Tensor& x, double alpha) {
  const char* op = "scale";
  require_floating(op, "x", x);
  require_finite(op, "alpha", alpha);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  axpby_into(op, alpha, x, 0.0, nullptr, out);
  return out;
}

Tensor mul(const Tensor& x, const Tensor& y) {
  const char* op = "mul";
  require_floating(op, "x", x);
  require_like(op, "x", x, "y", y);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.numel() == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(), mul<T>(x.numel(), ptr<T>(x), ptr<T>(y), ptr<T>(out)));
  });
  return out;
}

void add_(Tensor& x, const Tensor& y, double alpha) {
  const char* op = "add_";
  require_floating(op, "x", x);
  require_like(op, "x", x, "y", y);
  axpby_into(op, 1.0, x, alpha, &y, x);
}

Tensor bias_add(const Tensor& x, const Tensor& bias) {
  const char* op = "biasAdd";
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  require_defined(op, "bias", bias);
  require_same_device(op, "x", x, "bias", bias);
  require_same_dtype(op, "x", x, "bias", bias);
  FATHOM_CHECK(bias.ndim() == 1 && bias.dim(0) == x.dim(1), ErrorKind::Shape, op,
               arg("bias") + " is " + brief(bias) + " but x is " + brief(x) + "; bias must be [" +
                   std::to_string(x.dim(1)) + "]");
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.numel() == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(),
                  bias_add<T>(x.dim(0), x.dim(1), ptr<T>(x), ptr<T>(bias), ptr<T>(out)));
  });
  return out;
}

}  // namespace fathom::ops
