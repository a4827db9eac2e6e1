// N-API entry points of the norm op family: pairNorm, pairNormBackward, layerNorm,
// layerNormBackward.
#include "convert.h"
#include "errors.h"
#include "feature_bindings.h"
#include "ops/layer_norm.h"
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

Napi::Value optional_tensor(Napi::Env env, Tensor t) {
  return t.defined() ? TensorHandle::Wrap(env, std::move(t)) : env.Null();
}

// layerNorm(x, weight | null, bias | null, eps) -> [out, stats f64 [2, N]]
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  const char* op = "layerNorm";
  const Tensor& x = TensorHandle::From(info, 0, op, "x");
  Tensor weight = TensorHandle::FromOptional(info, 1, op, "weight");
  Tensor bias = TensorHandle::FromOptional(info, 2, op, "bias");
  double eps = number_arg(info, 3, op, "eps");
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::LayerNormResult r = ops::layer_norm(x, weight, bias, eps);
    Napi::Array pair = Napi::Array::New(info.Env(), 2);
    pair.Set(0u, TensorHandle::Wrap(info.Env(), std::move(r.out)));
    pair.Set(1u, TensorHandle::Wrap(info.Env(), std::move(r.stats)));
    return pair;
  });
}

// layerNormBackward(grad, x, weight | null, stats, wantX, wantWeight, wantBias)
//   -> [dx | null, dweight | null, dbias | null]
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  const char* op = "layerNormBackward";
  const Tensor& grad = TensorHandle::From(info, 0, op, "grad");
  const Tensor& x = TensorHandle::From(info, 1, op, "x");
  Tensor weight = TensorHandle::FromOptional(info, 2, op, "weight");
  const Tensor& stats = TensorHandle::From(info, 3, op, "stats");
  bool want_x = bool_arg(info, 4, op, "wantX");
  bool want_weight = bool_arg(info, 5, op, "wantWeight");
  bool want_bias = bool_arg(info, 6, op, "wantBias");
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::LayerNormGrads g =
        ops::layer_norm_backward(grad, x, weight, stats, want_x, want_weight, want_bias);
    Napi::Env env = info.Env();
    Napi::Array res = Napi::Array::New(env, 3);
    res.Set(0u, optional_tensor(env, std::move(g.dx)));
    res.Set(1u, optional_tensor(env, std::move(g.dweight)));
    res.Set(2u, optional_tensor(env, std::move(g.dbias)));
    return res;
  });
}

}  // namespace

void register_norm_ops(Napi::Env env, Napi::Object exports) {
  export_op(env, exports, "pairNorm", PairNorm);
  export_op(env, exports, "pairNormBackward", PairNormBackward);
  export_op(env, exports, "layerNorm", LayerNorm);
  export_op(env, exports, "layerNormBackward", LayerNormBackward);
}

}  // namespace fathom::napi
