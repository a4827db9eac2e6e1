// The JS handle of a native tensor. dispose() is idempotent; any use afterwards throws.
#pragma once
#include <napi.h>

#include "core/tensor.h"

namespace fathom::napi {

class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, Tensor tensor);
  // Unwraps argument `index` of an op, naming `op` and `arg` in any error.
  static const Tensor& From(const Napi::CallbackInfo& info, size_t index, const char* op,
                            const char* arg);
  static Tensor& FromMutable(const Napi::CallbackInfo& info, size_t index, const char* op,
                             const char* arg);
  // Like From, but undefined/null give an undefined Tensor.
  static Tensor FromOptional(const Napi::CallbackInfo& info, size_t index, const char* op,
                             const char* arg);

  explicit TensorHandle(const Napi::CallbackInfo& info);
  // The handle behind a JS value (nullptr when it is not one), and its tensor while it is not
  // disposed (nullptr after): how a compiled plan reads its inputs at every run.
  static TensorHandle* Unwrapped(Napi::Env env, Napi::Value value);
  Tensor* live() { return disposed_ ? nullptr : &tensor_; }
  const Tensor& tensor(const char* op, const char* arg) const;
  Tensor& mutable_tensor(const char* op, const char* arg);

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  Napi::Value GetShape(const Napi::CallbackInfo& info);
  Napi::Value GetDType(const Napi::CallbackInfo& info);
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value ToArray(const Napi::CallbackInfo& info);
  Napi::Value To(const Napi::CallbackInfo& info);
  Napi::Value Clone(const Napi::CallbackInfo& info);
  Napi::Value Reshape(const Napi::CallbackInfo& info);
  Napi::Value CopyFrom(const Napi::CallbackInfo& info);

  Tensor tensor_;
  bool disposed_ = false;
};

}  // namespace fathom::napi
