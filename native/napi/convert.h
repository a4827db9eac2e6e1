// Argument conversion shared by the bindings: strings to enums, JS arrays to shapes.
#pragma once
#include <napi.h>

#include <vector>

#include "core/tensor.h"

namespace fathom::napi {

DType dtype_arg(const Napi::CallbackInfo& info, size_t index, const char* op);
Device device_arg(const Napi::CallbackInfo& info, size_t index, const char* op);
Shape shape_arg(const Napi::CallbackInfo& info, size_t index, const char* op);
double number_arg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* arg);
// A number that must be an integer in [min, 2^53 - 1] (seeds, counts): a TypeError when it is not
// a number, a FathomError RANGE when it is out of range or fractional.
double integer_arg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* arg,
                   double min);
bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* arg);
std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* op,
                       const char* arg);
Napi::Array shape_value(Napi::Env env, const Shape& shape);
// A copy of argument `index`, which must be an Int32Array (a TypeError naming op and arg if not).
std::vector<int32_t> int32_array_arg(const Napi::CallbackInfo& info, size_t index, const char* op,
                                     const char* arg);

// The typed-array kind that holds `dtype` (Float32Array for f32 ...).
napi_typedarray_type typed_array_type(DType dtype);

}  // namespace fathom::napi
