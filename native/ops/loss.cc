// Row-wise log-softmax and the masked mean negative log-likelihood.
#include <vector>

#include "../cuda/runtime.h"
#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

Tensor log_softmax(const Tensor& x) {
  const char* op = "logSoftmax";
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.numel() == 0) return y;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(), log_softmax<T>(x.dim(0), x.dim(1), ptr<T>(x), ptr<T>(y)));
  });
  return y;
}

Tensor log_softmax_backward(const Tensor& grad, const Tensor& y) {
  const char* op = "logSoftmaxBackward";
  require_floating(op, "grad", grad);
  require_ndim(op, "grad", grad, 2);
  require_like(op, "grad", grad, "y", y);
  Tensor dx = Tensor::empty(grad.shape(), grad.dtype(), grad.device());
  if (grad.numel() == 0) return dx;
  with_float(op, "grad", grad, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(
        op, grad.device(),
        log_softmax_backward<T>(grad.dim(0), grad.dim(1), ptr<T>(grad), ptr<T>(y), ptr<T>(dx)));
  });
  return dx;
}

namespace {

// Shapes, dtypes and devices of (logp, labels, mask), then every label of a counted row against
// [0, C): the kernels index logp by label unchecked. Labels are one i32 per node, so copying
// them to the host for the check costs little next to the forward pass.
void check_nll_args(const char* op, const Tensor& logp, const Tensor& labels, const Tensor& mask) {
  require_floating(op, "logp", logp);
  require_ndim(op, "logp", logp, 2);
  require_dtype(op, "labels", labels, DType::I32);
  require_same_device(op, "logp", logp, "labels", labels);
  const int64_t R = logp.dim(0), C = logp.dim(1);
  FATHOM_CHECK(labels.ndim() == 1 && labels.dim(0) == R, ErrorKind::Shape, op,
               arg("labels") + " is " + brief(labels) + " but logp is " + brief(logp) +
                   "; labels must be [" + std::to_string(R) + "]");
  if (mask.defined()) {
    require_dtype(op, "mask", mask, DType::U8);
    require_same_device(op, "logp", logp, "mask", mask);
    FATHOM_CHECK(mask.ndim() == 1 && mask.dim(0) == R, ErrorKind::Shape, op,
                 arg("mask") + " is " + brief(mask) + " but logp is " + brief(logp) +
                     "; mask must be [" + std::to_string(R) + "]");
  }
  // Inside a captured CUDA graph the labels cannot be read on the host. The eager and traced
  // runs of the step checked these same label tensors, and the CUDA kernels never index by an
  // out-of-range label (such a row adds NaN to the loss), so skipping the check is safe there.
  if (cuda::capturing()) return;
  std::vector<int32_t> lab(static_cast<size_t>(R));
  std::vector<uint8_t> keep(mask.defined() ? static_cast<size_t>(R) : 0);
  labels.copy_to_host(lab.data());
  if (mask.defined()) mask.copy_to_host(keep.data());
  for (int64_t r = 0; r < R; ++r) {
    if (mask.defined() && !keep[static_cast<size_t>(r)]) continue;
    const int32_t c = lab[static_cast<size_t>(r)];
    FATHOM_CHECK(c >= 0 && c < C, ErrorKind::Range, op,
                 "labels[" + std::to_string(r) + "] = " + std::to_string(c) +
                     " is out of range [0, " + std::to_string(C) + ") for logp " + brief(logp) +
                     (mask.defined() ? " (the row is in the mask)" : ""));
  }
}

}  // namespace

Tensor nll_loss(const Tensor& logp, const Tensor& labels, const Tensor& mask) {
  const char* op = "nllLoss";
  check_nll_args(op, logp, labels, mask);
  Tensor loss = Tensor::zeros({}, logp.dtype(), logp.device());
  if (logp.dim(0) == 0) return loss;
  with_float(op, "logp", logp, [&](auto tag) {
    using T = decltype(tag);
    const uint8_t* m = mask.defined() ? ptr<uint8_t>(mask) : nullptr;
    FATHOM_LAUNCH(
        op, logp.device(),
        nll_loss<T>(logp.dim(0), logp.dim(1), ptr<T>(logp), ptr<int32_t>(labels), m, ptr<T>(loss)));
  });
  return loss;
}

Tensor nll_loss_backward(double grad, const Tensor& logp, const Tensor& labels,
                         const Tensor& mask) {
  const char* op = "nllLossBackward";
  check_nll_args(op, logp, labels, mask);
  Tensor dlogp = Tensor::empty(logp.shape(), logp.dtype(), logp.device());
  if (logp.numel() == 0) return dlogp;
  with_float(op, "logp", logp, [&](auto tag) {
    using T = decltype(tag);
    const uint8_t* m = mask.defined() ? ptr<uint8_t>(mask) : nullptr;
    FATHOM_LAUNCH(op, logp.device(),
                  nll_loss_backward<T>(logp.dim(0), logp.dim(1), T(grad), ptr<int32_t>(labels), m,
                                       ptr<T>(dlogp)));
  });
  return dlogp;
}

// The device form reads the gradient in the kernel (when its dtype is logp's; else the host form).
Tensor nll_loss_backward(const Tensor& grad, const Tensor& logp, const Tensor& labels,
                         const Tensor& mask) {
  const char* op = "nllLossBackward";
  if (!scalar_on_device(grad) || !grad.defined() || grad.dtype() != logp.dtype()) {
    return nll_loss_backward(scalar_value(grad, op, "grad"), logp, labels, mask);
  }
  FATHOM_CHECK(grad.numel() == 1, ErrorKind::Shape, op,
               "grad must be a one-element float tensor, got " + grad.describe());
  check_nll_args(op, logp, labels, mask);
  require_same_device(op, "logp", logp, "grad", grad);
  Tensor dlogp = Tensor::empty(logp.shape(), logp.dtype(), logp.device());
  if (logp.numel() == 0) return dlogp;
  with_float(op, "logp", logp, [&](auto tag) {
    using T = decltype(tag);
    const uint8_t* m = mask.defined() ? ptr<uint8_t>(mask) : nullptr;
    FATHOM_LAUNCH(op, logp.device(),
                  nll_loss_backward_dev<T>(logp.dim(0), logp.dim(1), ptr<T>(grad),
                                           ptr<int32_t>(labels), m, ptr<T>(dlogp)));
  });
  return dlogp;
}

}  // namespace fathom::ops
