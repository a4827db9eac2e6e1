#include "ops_binding.h"

#include "convert.h"
#include "csr_handle.h"
#include "errors.h"
#include "ops/ops.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

using Body = Napi::Value (*)(const Napi::CallbackInfo&);

Napi::Value wrap(const Napi::CallbackInfo& info, Tensor t) {
  return TensorHandle::Wrap(info.Env(), std::move(t));
}

// Unary and binary tensor ops share their argument handling.
template <Tensor (*F)(const Tensor&)>
Napi::Value unary(const Napi::CallbackInfo& info, const char* op) {
  const Tensor& x = TensorHandle::From(info, 0, op, "x");
  return guarded(info.Env(), [&]() { return wrap(info, F(x)); });
}

template <Tensor (*F)(const Tensor&, const Tensor&)>
Napi::Value binary(const Napi::CallbackInfo& info, const char* op, const char* a, const char* b) {
  const Tensor& x = TensorHandle::From(info, 0, op, a);
  const Tensor& y = TensorHandle::From(info, 1, op, b);
  return guarded(info.Env(), [&]() { return wrap(info, F(x, y)); });
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const Tensor& a = TensorHandle::From(info, 0, "matmul", "a");
  const Tensor& b = TensorHandle::From(info, 1, "matmul", "b");
  bool ta = bool_arg(info, 2, "matmul", "transA");
  bool tb = bool_arg(info, 3, "matmul", "transB");
  return guarded(info.Env(), [&]() { return wrap(info, ops::matmul(a, b, ta, tb)); });
}

// spmm(op, edgeValues, x, alpha, selfScale, name?): `name` is the JS op whose SpMM this is
// (propagate, propagateWeighted, matmul), for the error messages.
Napi::Value Spmm(const Napi::CallbackInfo& info) {
  const std::string name =
      info.Length() > 5 && !info[5].IsUndefined() ? string_arg(info, 5, "spmm", "name") : "spmm";
  const char* op = name.c_str();
  const Csr& csr = CsrHandle::From(info, 0, op, "op");
  Tensor values = TensorHandle::FromOptional(info, 1, op, "edgeValues");
  const Tensor& x = TensorHandle::From(info, 2, op, "x");
  double alpha = number_arg(info, 3, op, "alpha");
  double self_scale = number_arg(info, 4, op, "selfScale");
  return guarded(info.Env(),
                 [&]() { return wrap(info, ops::spmm(csr, values, x, alpha, self_scale, op)); });
}

Napi::Value PropagateBiasAct(const Napi::CallbackInfo& info) {
  const char* op = "propagateBiasAct";
  const Csr& csr = CsrHandle::From(info, 0, op, "op");
  const Tensor& x = TensorHandle::From(info, 1, op, "x");
  Tensor bias = TensorHandle::FromOptional(info, 2, op, "bias");
  double alpha = number_arg(info, 3, op, "alpha");
  double self_scale = number_arg(info, 4, op, "selfScale");
  bool relu = bool_arg(info, 5, op, "relu");
  return guarded(info.Env(), [&]() {
    return wrap(info, ops::propagate_bias_act(csr, x, bias, alpha, self_scale, relu));
  });
}

Napi::Value PropagateBiasActBackward(const Napi::CallbackInfo& info) {
  const char* op = "propagateBiasActBackward";
  const Csr& csr_t = CsrHandle::From(info, 0, op, "opT");
  const Tensor& grad = TensorHandle::From(info, 1, op, "grad");
  const Tensor& y = TensorHandle::From(info, 2, op, "y");
  double alpha = number_arg(info, 3, op, "alpha");
  double self_scale = number_arg(info, 4, op, "selfScale");
  bool relu = bool_arg(info, 5, op, "relu");
  bool want_x = bool_arg(info, 6, op, "wantX");
  bool want_bias = bool_arg(info, 7, op, "wantBias");
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::PropagateBiasActGrads g = ops::propagate_bias_act_backward(
        csr_t, grad, y, alpha, self_scale, relu, want_x, want_bias);
    Napi::Env env = info.Env();
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, g.dx.defined() ? TensorHandle::Wrap(env, std::move(g.dx)) : env.Null());
    pair.Set(1u, g.dbias.defined() ? TensorHandle::Wrap(env, std::move(g.dbias)) : env.Null());
    return pair;
  });
}

Napi::Value Sddmm(const Napi::CallbackInfo& info) {
  const Csr& csr = CsrHandle::From(info, 0, "sddmm", "op");
  const Tensor& a = TensorHandle::From(info, 1, "sddmm", "a");
  const Tensor& b = TensorHandle::From(info, 2, "sddmm", "b");
  return guarded(info.Env(), [&]() { return wrap(info, ops::sddmm(csr, a, b)); });
}

Napi::Value Axpby(const Napi::CallbackInfo& info) {
  double alpha = number_arg(info, 0, "axpby", "alpha");
  const Tensor& x = TensorHandle::From(info, 1, "axpby", "x");
  double beta = number_arg(info, 2, "axpby", "beta");
  const Tensor& y = TensorHandle::From(info, 3, "axpby", "y");
  return guarded(info.Env(), [&]() { return wrap(info, ops::axpby(alpha, x, beta, y)); });
}

Napi::Value Scale(const Napi::CallbackInfo& info) {
  const Tensor& x = TensorHandle::From(info, 0, "scale", "x");
  double alpha = number_arg(info, 1, "scale", "alpha");
  return guarded(info.Env(), [&]() { return wrap(info, ops::scale(x, alpha)); });
}

Napi::Value AddInPlace(const Napi::CallbackInfo& info) {
  Tensor& x = TensorHandle::FromMutable(info, 0, "addInPlace", "x");
  const Tensor& y = TensorHandle::From(info, 1, "addInPlace", "y");
  double alpha = number_arg(info, 2, "addInPlace", "alpha");
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::add_(x, y, alpha);
    return info.Env().Undefined();
  });
}

Napi::Value Dropout(const Napi::CallbackInfo& info) {
  const Tensor& x = TensorHandle::From(info, 0, "dropout", "x");
  double p = number_arg(info, 1, "dropout", "p");
  double seed = integer_arg(info, 2, "dropout", "seed", 0);
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto [out, mask] = ops::dropout(x, p, static_cast<uint64_t>(seed));
    Napi::Array pair = Napi::Array::New(info.Env(), 2);
    pair.Set(0u, wrap(info, out));
    pair.Set(1u, wrap(info, mask));
    return pair;
  });
}

Napi::Value DropoutBackward(const Napi::CallbackInfo& info) {
  const Tensor& g = TensorHandle::From(info, 0, "dropoutBackward", "grad");
  const Tensor& mask = TensorHandle::From(info, 1, "dropoutBackward", "mask");
  double p = number_arg(info, 2, "dropoutBackward", "p");
  return guarded(info.Env(), [&]() { return wrap(info, ops::dropout_backward(g, mask, p)); });
}

Napi::Value ReluMask(const Napi::CallbackInfo& info) {
  const Tensor& x = TensorHandle::From(info, 0, "reluMask", "x");
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto [out, mask] = ops::relu_mask(x);
    Napi::Array pair = Napi::Array::New(info.Env(), 2);
    pair.Set(0u, wrap(info, out));
    pair.Set(1u, wrap(info, mask));
    return pair;
  });
}

Napi::Value NllLoss(const Napi::CallbackInfo& info) {
  const Tensor& logp = TensorHandle::From(info, 0, "nllLoss", "logp");
  const Tensor& labels = TensorHandle::From(info, 1, "nllLoss", "labels");
  Tensor mask = TensorHandle::FromOptional(info, 2, "nllLoss", "mask");
  return guarded(info.Env(), [&]() { return wrap(info, ops::nll_loss(logp, labels, mask)); });
}

Napi::Value NllLossBackward(const Napi::CallbackInfo& info) {
  double g = number_arg(info, 0, "nllLossBackward", "grad");
  const Tensor& logp = TensorHandle::From(info, 1, "nllLossBackward", "logp");
  const Tensor& labels = TensorHandle::From(info, 2, "nllLossBackward", "labels");
  Tensor mask = TensorHandle::FromOptional(info, 3, "nllLossBackward", "mask");
  return guarded(info.Env(),
                 [&]() { return wrap(info, ops::nll_loss_backward(g, logp, labels, mask)); });
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  Shape shape = shape_arg(info, 0, "fill");
  DType dtype = dtype_arg(info, 1, "fill");
  Device device = device_arg(info, 2, "fill");
  double value = number_arg(info, 3, "fill", "value");
  return guarded(info.Env(), [&]() { return wrap(info, ops::fill(shape, dtype, device, value)); });
}

Napi::Value Cast(const Napi::CallbackInfo& info) {
  const Tensor& x = TensorHandle::From(info, 0, "cast", "x");
  DType dtype = dtype_arg(info, 1, "cast");
  return guarded(info.Env(), [&]() { return wrap(info, ops::cast(x, dtype)); });
}

Napi::Value CountNonfinite(const Napi::CallbackInfo& info) {
  const Tensor& x = TensorHandle::From(info, 0, "countNonfinite", "x");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(ops::count_nonfinite(x)));
  });
}

Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  const char* op = "adamStep";
  Tensor& p = TensorHandle::FromMutable(info, 0, op, "param");
  const Tensor& g = TensorHandle::From(info, 1, op, "grad");
  Tensor& m = TensorHandle::FromMutable(info, 2, op, "m");
  Tensor& v = TensorHandle::FromMutable(info, 3, op, "v");
  ops::AdamOptions o{number_arg(info, 4, op, "lr"),
                     number_arg(info, 5, op, "beta1"),
                     number_arg(info, 6, op, "beta2"),
                     number_arg(info, 7, op, "eps"),
                     number_arg(info, 8, op, "weightDecay"),
                     static_cast<int64_t>(number_arg(info, 9, op, "step"))};
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::adam_step(p, g, m, v, o);
    return info.Env().Undefined();
  });
}

Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  const char* op = "sgdStep";
  Tensor& p = TensorHandle::FromMutable(info, 0, op, "param");
  const Tensor& g = TensorHandle::From(info, 1, op, "grad");
  Tensor& buf = TensorHandle::FromMutable(info, 2, op, "buf");
  ops::SgdOptions o{number_arg(info, 3, op, "lr"),        number_arg(info, 4, op, "momentum"),
                    number_arg(info, 5, op, "dampening"), number_arg(info, 6, op, "weightDecay"),
                    bool_arg(info, 7, op, "nesterov"),    bool_arg(info, 8, op, "first")};
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::sgd_step(p, g, buf, o);
    return info.Env().Undefined();
  });
}

}  // namespace

void register_ops(Napi::Env env, Napi::Object exports) {
  auto set = [&](const char* name, Body body) { export_op(env, exports, name, body); };
  set("matmul", Matmul);
  set("spmm", Spmm);
  set("sddmm", Sddmm);
  set("propagateBiasAct", PropagateBiasAct);
  set("propagateBiasActBackward", PropagateBiasActBackward);
  set("axpby", Axpby);
  set("scale", Scale);
  set("addInPlace", AddInPlace);
  set("add", [](const Napi::CallbackInfo& i) { return binary<ops::add>(i, "add", "x", "y"); });
  set("sub", [](const Napi::CallbackInfo& i) { return binary<ops::sub>(i, "sub", "x", "y"); });
  set("mul", [](const Napi::CallbackInfo& i) { return binary<ops::mul>(i, "mul", "x", "y"); });
  set("biasAdd",
      [](const Napi::CallbackInfo& i) { return binary<ops::bias_add>(i, "biasAdd", "x", "bias"); });
  set("sumRows", [](const Napi::CallbackInfo& i) { return unary<ops::sum_rows>(i, "sumRows"); });
  set("relu", [](const Napi::CallbackInfo& i) { return unary<ops::relu>(i, "relu"); });
  set("reluBackward", [](const Napi::CallbackInfo& i) {
    return binary<ops::relu_backward>(i, "reluBackward", "grad", "y");
  });
  set("reluMask", ReluMask);
  set("reluBackwardMask", [](const Napi::CallbackInfo& i) {
    return binary<ops::relu_backward_mask>(i, "reluBackwardMask", "grad", "mask");
  });
  set("dropout", Dropout);
  set("dropoutBackward", DropoutBackward);
  set("logSoftmax",
      [](const Napi::CallbackInfo& i) { return unary<ops::log_softmax>(i, "logSoftmax"); });
  set("logSoftmaxBackward", [](const Napi::CallbackInfo& i) {
    return binary<ops::log_softmax_backward>(i, "logSoftmaxBackward", "grad", "y");
  });
  set("nllLoss", NllLoss);
  set("nllLossBackward", NllLossBackward);
  set("sum", [](const Napi::CallbackInfo& i) { return unary<ops::sum>(i, "sum"); });
  set("mean", [](const Napi::CallbackInfo& i) { return unary<ops::mean>(i, "mean"); });
  set("argmaxRows",
      [](const Napi::CallbackInfo& i) { return unary<ops::argmax_rows>(i, "argmaxRows"); });
  set("fill", Fill);
  set("cast", Cast);
  set("countNonfinite", CountNonfinite);
  set("adamStep", AdamStep);
  set("sgdStep", SgdStep);
}

}  // namespace fathom::napi
