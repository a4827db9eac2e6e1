#include "csr_handle.h"

#include "convert.h"
#include "env_data.h"
#include "errors.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {
Napi::FunctionReference& constructor(Napi::Env env) { return env_data(env).csr_handle; }
}  // namespace

Napi::Function CsrHandle::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(
      env, "CsrHandle",
      {InstanceMethod("dispose", &CsrHandle::Dispose),
       InstanceAccessor("disposed", &CsrHandle::Disposed, nullptr),
       InstanceMethod("info", &CsrHandle::Info), InstanceMethod("arrays", &CsrHandle::Arrays)});
  constructor(env) = Napi::Persistent(ctor);
  return ctor;
}

CsrHandle::CsrHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CsrHandle>(info) {}

CsrHandle* CsrHandle::Unwrapped(Napi::Env env, Napi::Value value) {
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(constructor(env).Value())) {
    return nullptr;
  }
  return Unwrap(value.As<Napi::Object>());
}

Napi::Object CsrHandle::Wrap(Napi::Env env, Csr csr) {
  Napi::Object obj = constructor(env).New({});
  CsrHandle::Unwrap(obj)->csr_ = std::move(csr);
  return obj;
}

const Csr& CsrHandle::csr(const char* op) const {
  if (disposed_) throw_type_error(Env(), std::string(op) + ": the graph operator was disposed");
  return csr_;
}

const Csr& CsrHandle::From(const Napi::CallbackInfo& info, size_t index, const char* op,
                           const char* arg) {
  if (index >= info.Length() || !info[index].IsObject() ||
      !info[index].As<Napi::Object>().InstanceOf(constructor(info.Env()).Value())) {
    throw_type_error(info.Env(), std::string(op) + ": argument " + arg +
                                     " must be a graph operator (CsrHandle)");
  }
  return Unwrap(info[index].As<Napi::Object>())->csr(op);
}

Napi::Value CsrHandle::Dispose(const Napi::CallbackInfo& info) {
  csr_ = Csr();
  disposed_ = true;
  return info.Env().Undefined();
}

Napi::Value CsrHandle::Disposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed_);
}

Napi::Value CsrHandle::Info(const Napi::CallbackInfo& info) {
  const Csr& c = csr("info");
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("rows", static_cast<double>(c.rows));
  o.Set("cols", static_cast<double>(c.cols));
  o.Set("nnz", static_cast<double>(c.nnz()));
  o.Set("device", device_name(c.device()));
  o.Set("weighted", c.values.defined());
  if (c.values.defined()) o.Set("dtype", dtype_name(c.values.dtype()));
  return o;
}

// Copies of the arrays as tensors (for tests and diagnostics).
Napi::Value CsrHandle::Arrays(const Napi::CallbackInfo& info) {
  const Csr& c = csr("arrays");
  return guarded(info.Env(), [&]() -> Napi::Value {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("rowptr", TensorHandle::Wrap(info.Env(), c.rowptr.clone()));
    o.Set("col", TensorHandle::Wrap(info.Env(), c.col.clone()));
    o.Set("perm", TensorHandle::Wrap(info.Env(), c.perm.clone()));
    if (c.values.defined()) o.Set("values", TensorHandle::Wrap(info.Env(), c.values.clone()));
    return o;
  });
}

void register_csr_functions(Napi::Env env, Napi::Object exports) {
  export_op(
      env, exports, "csrFromEdgeIndex",
      [](const Napi::CallbackInfo& info) {
        const Tensor& ei = TensorHandle::From(info, 0, "Graph", "edgeIndex");
        double n = number_arg(info, 1, "Graph", "numNodes");
        return guarded(info.Env(), [&]() -> Napi::Value {
          return CsrHandle::Wrap(info.Env(),
                                 csr_from_edge_index(ei, static_cast<int64_t>(n), "Graph"));
        });
      },
      "Graph");
  export_op(
      env, exports, "csrFromBipartite",
      [](const Napi::CallbackInfo& info) {
        const Tensor& ei = TensorHandle::From(info, 0, "Block", "edgeIndex");
        double s = integer_arg(info, 1, "Block", "numSources", 0);
        double t = integer_arg(info, 2, "Block", "numTargets", 0);
        return guarded(info.Env(), [&]() -> Napi::Value {
          return CsrHandle::Wrap(info.Env(), csr_from_bipartite(ei, static_cast<int64_t>(s),
                                                                static_cast<int64_t>(t), "Block"));
        });
      },
      "Block");
  export_op(env, exports, "csrTranspose", [](const Napi::CallbackInfo& info) {
    const Csr& c = CsrHandle::From(info, 0, "csrTranspose", "csr");
    return guarded(info.Env(),
                   [&]() -> Napi::Value { return CsrHandle::Wrap(info.Env(), csr_transpose(c)); });
  });
  export_op(
      env, exports, "csrOperator",
      [](const Napi::CallbackInfo& info) {
        const Csr& c = CsrHandle::From(info, 0, "Graph.operator", "csr");
        std::string kind = string_arg(info, 1, "Graph.operator", "kind");
        DType dtype = dtype_arg(info, 2, "Graph.operator");
        return guarded(info.Env(), [&]() -> Napi::Value {
          return CsrHandle::Wrap(info.Env(), csr_operator(c, kind.c_str(), dtype));
        });
      },
      "Graph.operator");
  export_op(
      env, exports, "csrTo",
      [](const Napi::CallbackInfo& info) {
        const Csr& c = CsrHandle::From(info, 0, "Graph.to", "csr");
        Device d = device_arg(info, 1, "Graph.to");
        return guarded(info.Env(),
                       [&]() -> Napi::Value { return CsrHandle::Wrap(info.Env(), csr_to(c, d)); });
      },
      "Graph.to");
  export_op(
      env, exports, "csrDegrees",
      [](const Napi::CallbackInfo& info) {
        const Csr& c = CsrHandle::From(info, 0, "Graph.degrees", "csr");
        return guarded(info.Env(), [&]() -> Napi::Value {
          return TensorHandle::Wrap(info.Env(), csr_row_degrees(c));
        });
      },
      "Graph.degrees");
}

}  // namespace fathom::napi
