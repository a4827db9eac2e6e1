// An AsyncWorker that settles a promise: run() does the work off the main thread, result() turns
// it into a JS value on it, and an error thrown by run() rejects the promise with the FathomError
// of its kind (out of memory → OUT_OF_MEMORY, any other exception → INTERNAL).
#pragma once
#include <napi.h>

#include <new>
#include <string>

#include "core/error.h"
#include "errors.h"

namespace fathom::napi {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  // `op` names the work in an out-of-memory message; `resource` is the async resource name.
  PromiseWorker(Napi::Env env, const char* resource, const char* op)
      : Napi::AsyncWorker(env, resource), deferred_(Napi::Promise::Deferred::New(env)), op_(op) {}

  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  virtual void run() = 0;
  virtual Napi::Value result(Napi::Env env) = 0;

 private:
  void Execute() override {
    try {
      run();
    } catch (const Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "OUT_OF_MEMORY";
      SetError(std::string(op_) + ": out of host memory");
    } catch (const std::exception& e) {
      code_ = "INTERNAL";
      SetError(e.what());
    }
  }

  void OnOK() override { deferred_.Resolve(result(Env())); }

  void OnError(const Napi::Error& e) override {
    deferred_.Reject(make_fathom_error(Env(), e.Message(), code_).Value());
  }

  Napi::Promise::Deferred deferred_;
  const char* op_;
  const char* code_ = "INTERNAL";
};

}  // namespace fathom::napi
