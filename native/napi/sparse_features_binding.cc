// N-API entry point of the sparse-input-feature path that returns a CSR: csrFromDense (the
// tensor ops of that path, csrDropout and transpose, are in the op table).
#include "csr_handle.h"
#include "errors.h"
#include "feature_bindings.h"
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

}  // namespace

void register_sparse_feature_ops(Napi::Env env, Napi::Object exports) {
  export_op(env, exports, "csrFromDense", CsrFromDense);
}

}  // namespace fathom::napi
