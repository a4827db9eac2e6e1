// N-API entry points of the diagnostics op family: featureMoments, dirichletEnergy, sumSquares.
#include "convert.h"
#include "csr_handle.h"
#include "errors.h"
#include "feature_bindings.h"
#include "ops/diag.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

Napi::Value FeatureMoments(const Napi::CallbackInfo& info) {
  const char* op = "featureMoments";
  const Tensor& x = TensorHandle::From(info, 0, op, "x");
  bool gram = bool_arg(info, 1, op, "gram");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return TensorHandle::Wrap(info.Env(), ops::feature_moments(x, gram));
  });
}

Napi::Value DirichletEnergy(const Napi::CallbackInfo& info) {
  const char* op = "dirichletEnergy";
  const Csr& csr = CsrHandle::From(info, 0, op, "operator");
  const Tensor& x = TensorHandle::From(info, 1, op, "x");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return TensorHandle::Wrap(info.Env(), ops::dirichlet_energy(csr, x));
  });
}

Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  const char* op = "sumSquares";
  const Tensor& x = TensorHandle::From(info, 0, op, "x");
  Tensor y = TensorHandle::FromOptional(info, 1, op, "y");
  return guarded(info.Env(), [&]() -> Napi::Value {
    return TensorHandle::Wrap(info.Env(), ops::sum_squares(x, y));
  });
}

}  // namespace

void register_diag_ops(Napi::Env env, Napi::Object exports) {
  exports.Set("featureMoments", Napi::Function::New(env, FeatureMoments, "featureMoments"));
  exports.Set("dirichletEnergy", Napi::Function::New(env, DirichletEnergy, "dirichletEnergy"));
  exports.Set("sumSquares", Napi::Function::New(env, SumSquares, "sumSquares"));
}

}  // namespace fathom::napi
