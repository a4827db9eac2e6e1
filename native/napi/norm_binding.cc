// N-API entry points of the norm op family: pairNorm, pairNormBackward.
#include "convert.h"
#include "errors.h"
#include "feature_bindings.h"
#include "ops/norm.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

Napi::Value PairNorm(const Napi::CallbackInfo& info) {
  const char* op = "pairNorm";
  const Tensor& x = TensorHandle::From(info, 0, op, "x");
  double scale = number_arg(info, 1, op, "scale");
  double eps = number_arg(info, 2, op, "eps");
  bool individual = bool_arg(info, 3, op, "scaleIndividually");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return TensorHandle::Wrap(info.Env(), ops::pair_norm(x, scale, eps, individual));
  });
}

Napi::Value PairNormBackward(const Napi::CallbackInfo& info) {
  const char* op = "pairNormBackward";
  const Tensor& grad = TensorHandle::From(info, 0, op, "grad");
  const Tensor& x = TensorHandle::From(info, 1, op, "x");
  double scale = number_arg(info, 2, op, "scale");
  double eps = number_arg(info, 3, op, "eps");
  bool individual = bool_arg(info, 4, op, "scaleIndividually");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return TensorHandle::Wrap(info.Env(), ops::pair_norm_backward(grad, x, scale, eps, individual));
  });
}

}  // namespace

void register_norm_ops(Napi::Env env, Napi::Object exports) {
  exports.Set("pairNorm", Napi::Function::New(env, PairNorm, "pairNorm"));
  exports.Set("pairNormBackward", Napi::Function::New(env, PairNormBackward, "pairNormBackward"));
}

}  // namespace fathom::napi
