// Maps core errors to JavaScript: Type -> TypeError, Range/Shape -> RangeError, the rest ->
// FathomError (the class lib/ registers at load time) carrying `code`.
#pragma once
#include <napi.h>

#include <functional>

namespace fathom::napi {

void set_error_class(const Napi::Function& ctor);

// Throws a JS exception of the given kind (never returns).
[[noreturn]] void throw_type_error(Napi::Env env, const std::string& message);
[[noreturn]] void throw_range_error(Napi::Env env, const std::string& message);

// Runs `body`, translating fathom::Error and std::exception into JS exceptions.
Napi::Value guarded(Napi::Env env, const std::function<Napi::Value()>& body);

}  // namespace fathom::napi
