#include "convert.h"

#include <cmath>
#include <cstdio>

#include "errors.h"

namespace fathom::napi {

std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* op,
                       const char* arg) {
  if (index >= info.Length() || !info[index].IsString()) {
    throw_type_error(info.Env(), std::string(op) + ": argument " + arg + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

DType dtype_arg(const Napi::CallbackInfo& info, size_t index, const char* op) {
  std::string s = string_arg(info, index, op, "dtype");
  DType t;
  if (dtype_from_name(s.c_str(), &t)) return t;
  throw_fathom_error(
      info.Env(), std::string(op) + ": dtype '" + s + "' is not one of f32, f64, i32, u8", "RANGE");
}

Device device_arg(const Napi::CallbackInfo& info, size_t index, const char* op) {
  std::string s = string_arg(info, index, op, "device");
  Device d;
  if (device_from_name(s.c_str(), &d)) return d;
  throw_fathom_error(info.Env(), std::string(op) + ": device '" + s + "' is not one of cpu, cuda",
                     "RANGE");
}

Shape shape_arg(const Napi::CallbackInfo& info, size_t index, const char* op) {
  if (index >= info.Length() || !info[index].IsArray()) {
    throw_type_error(info.Env(), std::string(op) + ": argument shape must be an array of integers");
  }
  Napi::Array arr = info[index].As<Napi::Array>();
  Shape shape;
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value v = arr.Get(i);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!v.IsNumber() || d < 0 || std::floor(d) != d || d > 9.0e15) {
      throw_fathom_error(
          info.Env(),
          std::string(op) + ": shape[" + std::to_string(i) + "] must be a non-negative integer",
          "RANGE");
    }
    shape.push_back(static_cast<int64_t>(d));
  }
  return shape;
}

double number_arg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* arg) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    throw_type_error(info.Env(), std::string(op) + ": argument " + arg + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

double integer_arg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* arg,
                   double min) {
  const double v = number_arg(info, index, op, arg);
  // 2^53 - 1: the largest integer a JS number holds exactly.
  if (!(v >= min && v <= 9007199254740991.0 && std::floor(v) == v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    throw_fathom_error(info.Env(),
                       std::string(op) + ": argument " + arg + " = " + buf +
                           " must be an integer >= " + std::to_string(static_cast<int64_t>(min)) +
                           " (and at most 2^53 - 1)",
                       "RANGE");
  }
  return v;
}

bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* op, const char* arg) {
  if (index >= info.Length() || !info[index].IsBoolean()) {
    throw_type_error(info.Env(), std::string(op) + ": argument " + arg + " must be a boolean");
  }
  return info[index].As<Napi::Boolean>().Value();
}

Napi::Array shape_value(Napi::Env env, const Shape& shape) {
  Napi::Array arr = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i)
    arr.Set(static_cast<uint32_t>(i), static_cast<double>(shape[i]));
  return arr;
}

napi_typedarray_type typed_array_type(DType dtype) {
  switch (dtype) {
    case DType::F32:
      return napi_float32_array;
    case DType::F64:
      return napi_float64_array;
    case DType::I32:
      return napi_int32_array;
    case DType::U8:
      return napi_uint8_array;
  }
  return napi_uint8_array;
}

std::vector<int32_t> int32_array_arg(const Napi::CallbackInfo& info, size_t index, const char* op,
                                     const char* arg) {
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw_type_error(info.Env(), std::string(op) + ": argument " + arg + " must be an Int32Array");
  }
  Napi::Int32Array a = info[index].As<Napi::Int32Array>();
  return std::vector<int32_t>(a.Data(), a.Data() + a.ElementLength());
}

}  // namespace fathom::napi
