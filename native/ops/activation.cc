// ReLU (with its mask kept as the output or as bits) and dropout with their backward passes.
#include <cmath>
#include <string>

#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

Tensor relu(const Tensor& x) {
  const char* op = "relu";
  require_floating(op, "x", x);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.numel() == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(), relu<T>(x.numel(), ptr<T>(x), ptr<T>(out)));
  });
  return out;
}

Tensor relu_backward(const Tensor& grad, const Tensor& y) {
  const char* op = "reluBackward";
  require_floating(op, "grad", grad);
  require_like(op, "grad", grad, "y", y);
  Tensor out = Tensor::empty(grad.shape(), grad.dtype(), grad.device());
  if (grad.numel() == 0) return out;
  with_float(op, "grad", grad, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, grad.device(),
                  relu_backward<T>(grad.numel(), ptr<T>(grad), ptr<T>(y), ptr<T>(out)));
  });
  return out;
}

std::pair<Tensor, Tensor> relu_mask(const Tensor& x) {
  const char* op = "reluBits";
  require_floating(op, "x", x);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  Tensor mask = Tensor::empty({(x.numel() + 7) / 8}, DType::U8, x.device());
  if (x.numel() == 0) return {out, mask};
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(),
                  relu_mask<T>(x.numel(), ptr<T>(x), ptr<T>(out), ptr<uint8_t>(mask)));
  });
  return {out, mask};
}

Tensor relu_backward_mask(const Tensor& grad, const Tensor& mask) {
  const char* op = "reluBackwardMask";
  require_floating(op, "grad", grad);
  require_dtype(op, "mask", mask, DType::U8);
  require_same_device(op, "grad", grad, "mask", mask);
  const int64_t bytes = (grad.numel() + 7) / 8;
  FATHOM_CHECK(mask.shape().size() == 1 && mask.numel() == bytes, ErrorKind::Shape, op,
               "argument mask " + brief(mask) + " must be u8[" + std::to_string(bytes) +
                   "], one bit per element of grad " + brief(grad));
  Tensor out = Tensor::empty(grad.shape(), grad.dtype(), grad.device());
  if (grad.numel() == 0) return out;
  with_float(op, "grad", grad, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(
        op, grad.device(),
        relu_backward_mask<T>(grad.numel(), ptr<T>(grad), ptr<uint8_t>(mask), ptr<T>(out)));
  });
  return out;
}

std::pair<Tensor, Tensor> dropout(const Tensor& x, double p, uint64_t seed,
                                  const double* seed_dev) {
  const char* op = "dropout";
  require_floating(op, "x", x);
  require_drop_probability(op, "p", p);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  Tensor mask = Tensor::empty(x.shape(), DType::U8, x.device());
  if (x.numel() == 0) return {out, mask};
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    if (seed_dev != nullptr) {
      FATHOM_LAUNCH(
          op, x.device(),
          dropout_dev<T>(x.numel(), p, seed_dev, ptr<T>(x), ptr<T>(out), ptr<uint8_t>(mask)));
      return;
    }
    FATHOM_LAUNCH(op, x.device(),
                  dropout<T>(x.numel(), p, seed, ptr<T>(x), ptr<T>(out), ptr<uint8_t>(mask)));
  });
  return {out, mask};
}

Tensor dropout_backward(const Tensor& grad, const Tensor& mask, double p) {
  const char* op = "dropoutBackward";
  require_floating(op, "grad", grad);
  require_dtype(op, "mask", mask, DType::U8);
  require_same_device(op, "grad", grad, "mask", mask);
  require_same_shape(op, "grad", grad, "mask", mask);
  require_drop_probability(op, "p", p);
  Tensor out = Tensor::empty(grad.shape(), grad.dtype(), grad.device());
  if (grad.numel() == 0) return out;
  with_float(op, "grad", grad, [&](auto tag) {
    using T = decltype(tag);
    const T scale = T(1.0 / (1.0 - p));
    FATHOM_LAUNCH(
        op, grad.device(),
        masked_scale<T>(grad.numel(), ptr<T>(grad), ptr<uint8_t>(mask), scale, ptr<T>(out)));
  });
  return out;
}

}  // namespace fathom::ops
