// Optimizer updates, in place on the parameter and its state. Hyperparameters are validated as
// PyTorch's constructors validate them, so a bad value fails at the first step, not as NaNs.
#include <cmath>

#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

namespace {

void require_hyper(const char* op, const char* name, double value, bool ok, const char* range) {
  FATHOM_CHECK(ok && std::isfinite(value), ErrorKind::Range, op,
               std::string("option ") + name + " = " + num(value) + " must be " + range);
}

// param is written in place, so it must be a floating tensor; the others match it exactly.
void require_state(const char* op, const Tensor& param, const char* name, const Tensor& t) {
  require_like(op, "param", param, name, t);
}

}  // namespace

void adam_step(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamOptions& o,
               const double* consts_dev) {
  const char* op = "adam_step";
  require_floating(op, "param", param);
  require_state(op, param, "grad", grad);
  require_state(op, param, "m", m);
  require_state(op, param, "v", v);
  require_hyper(op, "lr", o.lr, o.lr >= 0, ">= 0");
  require_hyper(op, "beta1", o.beta1, o.beta1 >= 0 && o.beta1 < 1, "in [0, 1)");
  require_hyper(op, "beta2", o.beta2, o.beta2 >= 0 && o.beta2 < 1, "in [0, 1)");
  require_hyper(op, "eps", o.eps, o.eps >= 0, ">= 0");
  require_hyper(op, "weight_decay", o.weight_decay, o.weight_decay >= 0, ">= 0");
  FATHOM_CHECK(o.step >= 1, ErrorKind::Range, op,
               "option step = " + std::to_string(o.step) + " must be >= 1 (it is 1-based)");
  if (param.numel() == 0) return;
  with_float(op, "param", param, [&](auto tag) {
    using T = decltype(tag);
    if (consts_dev != nullptr) {
      FATHOM_LAUNCH(
          op, param.device(),
          adam_step_dev<T>(param.numel(), ptr<T>(param), ptr<T>(grad), ptr<T>(m), ptr<T>(v),
                           o.beta1, o.beta2, o.eps, o.weight_decay, consts_dev));
      return;
    }
    FATHOM_LAUNCH(op, param.device(),
                  adam_step<T>(param.numel(), ptr<T>(param), ptr<T>(grad), ptr<T>(m), ptr<T>(v),
                               o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, o.step));
  });
}

void sgd_step(Tensor& param, const Tensor& grad, Tensor& buf, const SgdOptions& o,
              const double* lr_dev) {
  const char* op = "sgd_step";
  require_floating(op, "param", param);
  require_state(op, param, "grad", grad);
  require_hyper(op, "lr", o.lr, o.lr >= 0, ">= 0");
  require_hyper(op, "momentum", o.momentum, o.momentum >= 0, ">= 0");
  require_hyper(op, "dampening", o.dampening, true, "finite");
  require_hyper(op, "weight_decay", o.weight_decay, o.weight_decay >= 0, ">= 0");
  FATHOM_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0), ErrorKind::Range, op,
               "nesterov momentum needs momentum > 0 and dampening = 0, got momentum = " +
                   num(o.momentum) + ", dampening = " + num(o.dampening));
  // Plain SGD keeps no state: the buffer may then be left undefined (the kernel gets null).
  if (o.momentum != 0 || buf.defined()) require_state(op, param, "buf", buf);
  if (param.numel() == 0) return;
  with_float(op, "param", param, [&](auto tag) {
    using T = decltype(tag);
    T* pbuf = buf.defined() ? ptr<T>(buf) : nullptr;
    if (lr_dev != nullptr) {
      FATHOM_LAUNCH(op, param.device(),
                    sgd_step_dev<T>(param.numel(), ptr<T>(param), ptr<T>(grad), pbuf, lr_dev,
                                    o.momentum, o.dampening, o.weight_decay, o.nesterov, o.first));
      return;
    }
    FATHOM_LAUNCH(op, param.device(),
                  sgd_step<T>(param.numel(), ptr<T>(param), ptr<T>(grad), pbuf, o.lr, o.momentum,
                              o.dampening, o.weight_decay, o.nesterov, o.first));
  });
}

}  // namespace fathom::ops
