// N-API bindings of the softmax aggregation (ops/softmax_aggregate.h).
#include "convert.h"
#include "csr_handle.h"
#include "errors.h"
#include "feature_bindings.h"
#include "ops/softmax_aggregate.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

// softmaxAggregate(csr, x, e | null, t, eps) -> [out, stats]
Napi::Value SoftmaxAggregate(const Napi::CallbackInfo& info) {
  const char* op = "softmaxAggregate";
  const Csr& csr = CsrHandle::From(info, 0, op, "op");
  const Tensor& x = TensorHandle::From(info, 1, op, "x");
  Tensor e = TensorHandle::FromOptional(info, 2, op, "e");
  const Tensor& t = TensorHandle::From(info, 3, op, "t");
  const double eps = number_arg(info, 4, op, "eps");
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::SoftmaxAggregateResult r = ops::softmax_aggregate(csr, x, e, t, eps);
    Napi::Array pair = Napi::Array::New(info.Env(), 2);
    pair.Set(0u, TensorHandle::Wrap(info.Env(), std::move(r.out)));
    pair.Set(1u, TensorHandle::Wrap(info.Env(), std::move(r.stats)));
    return pair;
  });
}

// softmaxAggregateBackward(csrT, x, e | null, t, eps, out, stats, grad) -> [dx, de | null, dt]
Napi::Value SoftmaxAggregateBackward(const Napi::CallbackInfo& info) {
  const char* op = "softmaxAggregateBackward";
  const Csr& csr_t = CsrHandle::From(info, 0, op, "csrT");
  const Tensor& x = TensorHandle::From(info, 1, op, "x");
  Tensor e = TensorHandle::FromOptional(info, 2, op, "e");
  const Tensor& t = TensorHandle::From(info, 3, op, "t");
  const double eps = number_arg(info, 4, op, "eps");
  const Tensor& out = TensorHandle::From(info, 5, op, "out");
  const Tensor& stats = TensorHandle::From(info, 6, op, "stats");
  const Tensor& grad = TensorHandle::From(info, 7, op, "grad");
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::SoftmaxAggregateGrads g =
        ops::softmax_aggregate_backward(csr_t, x, e, t, eps, out, stats, grad);
    Napi::Array res = Napi::Array::New(info.Env(), 3);
    res.Set(0u, TensorHandle::Wrap(info.Env(), std::move(g.dx)));
    res.Set(1u, g.de.defined() ? TensorHandle::Wrap(info.Env(), std::move(g.de))
                               : Napi::Value(info.Env().Null()));
    res.Set(2u, TensorHandle::Wrap(info.Env(), std::move(g.dt)));
    return res;
  });
}

}  // namespace

void register_aggr_ops(Napi::Env env, Napi::Object exports) {
  export_op(env, exports, "softmaxAggregate", SoftmaxAggregate);
  export_op(env, exports, "softmaxAggregateBackward", SoftmaxAggregateBackward);
}

}  // namespace fathom::napi
