// N-API entry points of the sparse-input-feature path: csrFromDense, csrDropout, transpose.
#include "convert.h"
#include "csr_handle.h"
#include "errors.h"
#include "feature_bindings.h"
#include "ops/ops.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

Napi::Value CsrFromDense(const Napi::CallbackInfo& info) {
  const char* op = "csrFromDense";
  const Tensor& x = TensorHandle::From(info, 0, op, "x");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return CsrHandle::Wrap(info.Env(), csr_from_dense(x, op));
  });
}

Napi::Value CsrDropout(const Napi::CallbackInfo& info) {
  // Reached only from dropout() on sparse features: errors name that op.
  const char* op = "dropout";
  const Csr& csr = CsrHandle::From(info, 0, op, "csr");
  double p = number_arg(info, 1, op, "p");
  double seed = integer_arg(info, 2, op, "seed", 0);
  bool transposed = bool_arg(info, 3, op, "transposed");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return TensorHandle::Wrap(info.Env(),
                              ops::csr_dropout(csr, p, static_cast<uint64_t>(seed), transposed));
  });
}

Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const Tensor& x = TensorHandle::From(info, 0, "transpose", "x");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return TensorHandle::Wrap(info.Env(), ops::transpose(x));
  });
}

}  // namespace

void register_sparse_feature_ops(Napi::Env env, Napi::Object exports) {
  export_op(env, exports, "csrFromDense", CsrFromDense);
  export_op(env, exports, "csrDropout", CsrDropout);
  export_op(env, exports, "transpose", Transpose);
}

}  // namespace fathom::napi
