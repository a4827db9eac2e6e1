// Maps core errors to JavaScript. Every fathom::Error becomes a FathomError (the class lib/
// registers at load time) carrying the kind's `code` (TYPE, RANGE, SHAPE, DEVICE, ...): a value
// check fails with one class and code whichever op makes it. TypeError is kept for arguments of
// the wrong JS type (not a number, not a Tensor, a disposed handle), which only the binding sees.
#pragma once
#include <napi.h>

#include <functional>
#include <string>

namespace fathom::napi {

void set_error_class(const Napi::Function& ctor);

// Throws a JS TypeError: an argument of the wrong JS type (never returns).
[[noreturn]] void throw_type_error(Napi::Env env, const std::string& message);
// Throws a FathomError with `code` ("RANGE", "SHAPE", ...): a bad value found by the binding
// itself, before any op runs (never returns).
[[noreturn]] void throw_fathom_error(Napi::Env env, const std::string& message, const char* code);

// The FathomError with `code` as a value (to reject a promise with).
Napi::Error make_fathom_error(Napi::Env env, const std::string& message, const char* code);

// Runs `body`, translating fathom::Error and std::exception into JS exceptions.
Napi::Value guarded(Napi::Env env, const std::function<Napi::Value()>& body);

// Sets exports[name] to a function running `body` under OpLabel(label), so that errors raised
// deep in the core (an allocation past the memory budget) name the op. `name` and `label` are
// literals: they must outlive the addon.
using Callback = Napi::Value (*)(const Napi::CallbackInfo&);
void export_op(Napi::Env env, Napi::Object exports, const char* name, Callback body,
               const char* label = nullptr);

}  // namespace fathom::napi
