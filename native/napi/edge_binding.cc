// Bindings of the per-edge ops (ops/edge_ops.h): edgeSoftmax, edgeSoftmaxBackward,
// csrTransposeIndex, edgeGather.
#include "convert.h"
#include "csr_handle.h"
#include "errors.h"
#include "feature_bindings.h"
#include "ops/edge_ops.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

Napi::Value wrap(const Napi::CallbackInfo& info, Tensor t) {
  return TensorHandle::Wrap(info.Env(), std::move(t));
}

Napi::Value EdgeSoftmax(const Napi::CallbackInfo& info) {
  const Csr& csr = CsrHandle::From(info, 0, "edgeSoftmax", "op");
  const Tensor& logits = TensorHandle::From(info, 1, "edgeSoftmax", "logits");
  return guarded(info.Env(), [&]() { return wrap(info, ops::edge_softmax(csr, logits)); });
}

Napi::Value EdgeSoftmaxBackward(const Napi::CallbackInfo& info) {
  const char* op = "edgeSoftmaxBackward";
  const Csr& csr = CsrHandle::From(info, 0, op, "op");
  const Tensor& alpha = TensorHandle::From(info, 1, op, "alpha");
  const Tensor& grad = TensorHandle::From(info, 2, op, "grad");
  return guarded(info.Env(),
                 [&]() { return wrap(info, ops::edge_softmax_backward(csr, alpha, grad)); });
}

Napi::Value CsrTransposeIndex(const Napi::CallbackInfo& info) {
  const Csr& csr = CsrHandle::From(info, 0, "csrTransposeIndex", "operator");
  return guarded(info.Env(), [&]() { return wrap(info, ops::csr_transpose_index(csr)); });
}

Napi::Value EdgeGather(const Napi::CallbackInfo& info) {
  const Tensor& values = TensorHandle::From(info, 0, "edgeGather", "values");
  const Tensor& index = TensorHandle::From(info, 1, "edgeGather", "index");
  return guarded(info.Env(), [&]() { return wrap(info, ops::edge_gather(values, index)); });
}

}  // namespace

void register_edge_ops(Napi::Env env, Napi::Object exports) {
  auto set = [&](const char* name, Callback body) { export_op(env, exports, name, body); };
  set("edgeSoftmax", EdgeSoftmax);
  set("edgeSoftmaxBackward", EdgeSoftmaxBackward);
  set("csrTransposeIndex", CsrTransposeIndex);
  set("edgeGather", EdgeGather);
}

}  // namespace fathom::napi
