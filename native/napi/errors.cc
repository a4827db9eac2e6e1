#include "errors.h"

#include <new>

#include "core/error.h"
#include "core/op_label.h"
#include "env_data.h"

namespace fathom::napi {
namespace {

Napi::FunctionReference& error_class(Napi::Env env) { return env_data(env).error_class; }

}  // namespace

Napi::Error make_fathom_error(Napi::Env env, const std::string& message, const char* code) {
  Napi::Object err;
  if (!error_class(env).IsEmpty()) {
    err = error_class(env).New({Napi::String::New(env, message), Napi::String::New(env, code)});
  } else {
    err = Napi::Error::New(env, message).Value();
    err.Set("name", "FathomError");
  }
  err.Set("code", code);
  return Napi::Error(env, err);
}

void set_error_class(const Napi::Function& ctor) {
  error_class(ctor.Env()) = Napi::Persistent(ctor);
}

void throw_type_error(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

void throw_fathom_error(Napi::Env env, const std::string& message, const char* code) {
  throw make_fathom_error(env, message, code);
}

Napi::Value guarded(Napi::Env env, const std::function<Napi::Value()>& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const Error& e) {
    throw make_fathom_error(env, e.what(), e.code());
  } catch (const std::bad_alloc&) {
    throw make_fathom_error(env, "out of host memory", "OUT_OF_MEMORY");
  } catch (const std::exception& e) {
    throw make_fathom_error(env, e.what(), "INTERNAL");
  }
}

void export_op(Napi::Env env, Napi::Object exports, const char* name, Callback body,
               const char* label) {
  const char* op = label != nullptr ? label : name;
  auto labelled = [op, body](const Napi::CallbackInfo& info) -> Napi::Value {
    OpLabel scope(op);
    return body(info);
  };
  exports.Set(name, Napi::Function::New(env, labelled, name));
}

}  // namespace fathom::napi
