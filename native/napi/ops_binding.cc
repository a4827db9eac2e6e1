#include "ops_binding.h"

#include "errors.h"
#include "ops/ops.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

// The one op that answers a number, not tensors: it stays outside the op table.
Napi::Value CountNonfinite(const Napi::CallbackInfo& info) {
  const Tensor& x = TensorHandle::From(info, 0, "countNonfinite", "x");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(ops::count_nonfinite(x)));
  });
}

}  // namespace

void register_ops(Napi::Env env, Napi::Object exports) {
  export_op(env, exports, "countNonfinite", CountNonfinite);
}

}  // namespace fathom::napi
