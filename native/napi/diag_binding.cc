// N-API entry points of the diagnostics op family: featureMoments, dirichletEnergy, sumSquares,
// and the host-array symmetricEigenvalues.
#include <cmath>
#include <string>
#include <vector>

#include "convert.h"
#include "cpu/symmetric_eigenvalues.h"
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

// Float64Array of the eigenvalues (descending) of the symmetric n×n row-major `matrix`, or null
// where this build has no LAPACK (or deterministic mode is on): the caller then uses its own.
Napi::Value SymmetricEigenvalues(const Napi::CallbackInfo& info) {
  const char* op = "symmetricEigenvalues";
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw_type_error(env, std::string(op) + ": argument matrix must be a Float64Array");
  }
  double nd = number_arg(info, 1, op, "n");
  auto matrix = info[0].As<Napi::Float64Array>();
  if (!(nd >= 0) || nd != std::floor(nd) || nd > 46340) {
    throw_fathom_error(
        env, std::string(op) + ": n must be a non-negative integer, got " + std::to_string(nd),
        "RANGE");
  }
  const int64_t n = static_cast<int64_t>(nd);
  if (static_cast<int64_t>(matrix.ElementLength()) != n * n) {
    throw_fathom_error(env,
                       std::string(op) + ": matrix has " + std::to_string(matrix.ElementLength()) +
                           " values, expected " + std::to_string(n) + "x" + std::to_string(n),
                       "SHAPE");
  }
  if (!cpu::lapack_eigenvalues_available()) return env.Null();
  std::vector<double> a(matrix.Data(), matrix.Data() + n * n);
  auto w = Napi::Float64Array::New(env, static_cast<size_t>(n));
  if (!cpu::symmetric_eigenvalues(n, a.data(), w.Data())) return env.Null();
  return w;
}

}  // namespace

void register_diag_ops(Napi::Env env, Napi::Object exports) {
  export_op(env, exports, "featureMoments", FeatureMoments);
  export_op(env, exports, "dirichletEnergy", DirichletEnergy);
  export_op(env, exports, "sumSquares", SumSquares);
  export_op(env, exports, "symmetricEigenvalues", SymmetricEigenvalues);
}

}  // namespace fathom::napi
