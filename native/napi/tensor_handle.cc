#include "tensor_handle.h"

#include <cstring>

#include "convert.h"
#include "core/op_label.h"
#include "env_data.h"
#include "errors.h"
#include "table/handle_table.h"

namespace fathom::napi {
namespace {
Napi::FunctionReference& constructor(Napi::Env env) { return env_data(env).tensor_handle; }
}  // namespace

Napi::Function TensorHandle::Init(Napi::Env env) {
  // Methods are writable so that a trace (lib/compile/trace.ts) can record their calls.
  const auto patchable = static_cast<napi_property_attributes>(napi_writable | napi_configurable);
  Napi::Function ctor =
      DefineClass(env, "TensorHandle",
                  {InstanceMethod("dispose", &TensorHandle::Dispose, patchable),
                   InstanceAccessor("disposed", &TensorHandle::Disposed, nullptr),
                   InstanceAccessor("shape", &TensorHandle::GetShape, nullptr),
                   InstanceAccessor("dtype", &TensorHandle::GetDType, nullptr),
                   InstanceAccessor("device", &TensorHandle::GetDevice, nullptr),
                   InstanceMethod("toArray", &TensorHandle::ToArray, patchable),
                   InstanceMethod("to", &TensorHandle::To, patchable),
                   InstanceMethod("clone", &TensorHandle::Clone, patchable),
                   InstanceMethod("reshape", &TensorHandle::Reshape, patchable),
                   InstanceMethod("copyFrom", &TensorHandle::CopyFrom, patchable)});
  constructor(env) = Napi::Persistent(ctor);
  return ctor;
}

// new TensorHandle(typedArray, shape, dtype): copies the data into a new CPU tensor.
// new TensorHandle() with no arguments is used internally by Wrap.
TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  if (info.Length() == 0) return;
  const char* op = "tensor";
  OpLabel label(op);
  guarded(info.Env(), [&]() -> Napi::Value {
    if (!info[0].IsTypedArray())
      throw_type_error(info.Env(), "tensor: argument data must be a typed array");
    Napi::TypedArray arr = info[0].As<Napi::TypedArray>();
    Shape shape = shape_arg(info, 1, op);
    DType dtype = dtype_arg(info, 2, op);
    if (arr.TypedArrayType() != typed_array_type(dtype)) {
      throw_type_error(
          info.Env(), std::string("tensor: data's typed array does not hold ") + dtype_name(dtype));
    }
    if (static_cast<int64_t>(arr.ElementLength()) != shape_numel(shape)) {
      throw_fathom_error(info.Env(),
                         "tensor: data has " + std::to_string(arr.ElementLength()) +
                             " elements but shape " + shape_str(shape) + " needs " +
                             std::to_string(shape_numel(shape)),
                         "SHAPE");
    }
    // The view's own element pointer: arr.ArrayBuffer() fails ("Invalid argument") when the
    // array is backed by a SharedArrayBuffer, which is copied like any other.
    void* base = nullptr;
    if (napi_get_typedarray_info(info.Env(), arr, nullptr, nullptr, &base, nullptr, nullptr) !=
        napi_ok) {
      throw Napi::Error::New(info.Env());
    }
    tensor_ = Tensor::from_host(base, shape, dtype);
    return info.Env().Undefined();
  });
}

TensorHandle* TensorHandle::Unwrapped(Napi::Env env, Napi::Value value) {
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(constructor(env).Value())) {
    return nullptr;
  }
  return Unwrap(value.As<Napi::Object>());
}

Napi::Object TensorHandle::Wrap(Napi::Env env, Tensor tensor) {
  Napi::Object obj = constructor(env).New({});
  TensorHandle::Unwrap(obj)->tensor_ = std::move(tensor);
  return obj;
}

const Tensor& TensorHandle::tensor(const char* op, const char* arg) const {
  if (disposed_) {
    throw_type_error(Env(), std::string(op) + ": argument " + arg + " is a disposed tensor");
  }
  return tensor_;
}

Tensor& TensorHandle::mutable_tensor(const char* op, const char* arg) {
  tensor(op, arg);
  return tensor_;
}

const Tensor& TensorHandle::From(const Napi::CallbackInfo& info, size_t index, const char* op,
                                 const char* arg) {
  if (index >= info.Length() || !info[index].IsObject() ||
      !info[index].As<Napi::Object>().InstanceOf(constructor(info.Env()).Value())) {
    throw_type_error(info.Env(), std::string(op) + ": argument " + arg + " must be a Tensor");
  }
  return Unwrap(info[index].As<Napi::Object>())->tensor(op, arg);
}

Tensor& TensorHandle::FromMutable(const Napi::CallbackInfo& info, size_t index, const char* op,
                                  const char* arg) {
  From(info, index, op, arg);
  return Unwrap(info[index].As<Napi::Object>())->mutable_tensor(op, arg);
}

Tensor TensorHandle::FromOptional(const Napi::CallbackInfo& info, size_t index, const char* op,
                                  const char* arg) {
  if (index >= info.Length() || info[index].IsUndefined() || info[index].IsNull()) return Tensor();
  return From(info, index, op, arg);
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  tensor_ = Tensor();
  disposed_ = true;
  return info.Env().Undefined();
}

Napi::Value TensorHandle::Disposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed_);
}

Napi::Value TensorHandle::GetShape(const Napi::CallbackInfo& info) {
  return shape_value(info.Env(), tensor("shape", "this").shape());
}

Napi::Value TensorHandle::GetDType(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtype_name(tensor("dtype", "this").dtype()));
}

Napi::Value TensorHandle::GetDevice(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), device_name(tensor("device", "this").device()));
}

Napi::Value TensorHandle::ToArray(const Napi::CallbackInfo& info) {
  const Tensor& t = tensor("toArray", "this");
  return guarded(info.Env(), [&]() -> Napi::Value {
    size_t n = static_cast<size_t>(t.numel());
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), t.nbytes());
    t.copy_to_host(buf.Data());
    switch (t.dtype()) {
      case DType::F32:
        return Napi::Float32Array::New(info.Env(), n, buf, 0);
      case DType::F64:
        return Napi::Float64Array::New(info.Env(), n, buf, 0);
      case DType::I32:
        return Napi::Int32Array::New(info.Env(), n, buf, 0);
      case DType::U8:
        return Napi::Uint8Array::New(info.Env(), n, buf, 0);
    }
    return info.Env().Undefined();
  });
}

Napi::Value TensorHandle::To(const Napi::CallbackInfo& info) {
  const Tensor& t = tensor("to", "this");
  Device d = device_arg(info, 0, "to");
  OpLabel label("to");
  return guarded(info.Env(),
                 [&]() -> Napi::Value { return Wrap(info.Env(), table::clone_to(t, d)); });
}

Napi::Value TensorHandle::Clone(const Napi::CallbackInfo& info) {
  const Tensor& t = tensor("clone", "this");
  OpLabel label("clone");
  return guarded(info.Env(), [&]() -> Napi::Value { return Wrap(info.Env(), t.clone()); });
}

Napi::Value TensorHandle::Reshape(const Napi::CallbackInfo& info) {
  const Tensor& t = tensor("reshape", "this");
  Shape shape = shape_arg(info, 0, "reshape");
  return guarded(info.Env(), [&]() -> Napi::Value { return Wrap(info.Env(), t.reshape(shape)); });
}

Napi::Value TensorHandle::CopyFrom(const Napi::CallbackInfo& info) {
  Tensor& t = mutable_tensor("copyFrom", "this");
  const Tensor& src = From(info, 0, "copyFrom", "source");
  return guarded(info.Env(), [&]() -> Napi::Value {
    t.copy_from(src);
    return info.Env().Undefined();
  });
}

}  // namespace fathom::napi
