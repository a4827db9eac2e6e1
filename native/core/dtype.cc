#include "dtype.h"

#include <cstring>
#include <initializer_list>

namespace fathom {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32:
      return 4;
    case DType::F64:
      return 8;
    case DType::I32:
      return 4;
    case DType::U8:
      return 1;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32:
      return "f32";
    case DType::F64:
      return "f64";
    case DType::I32:
      return "i32";
    case DType::U8:
      return "u8";
  }
  return "?";
}

const char* device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

bool dtype_from_name(const char* name, DType* out) {
  for (DType t : {DType::F32, DType::F64, DType::I32, DType::U8}) {
    if (std::strcmp(name, dtype_name(t)) == 0) {
      *out = t;
      return true;
    }
  }
  return false;
}

bool device_from_name(const char* name, Device* out) {
  for (Device d : {Device::CPU, Device::CUDA}) {
    if (std::strcmp(name, device_name(d)) == 0) {
      *out = d;
      return true;
    }
  }
  return false;
}

bool is_floating(DType t) { return t == DType::F32 || t == DType::F64; }

}  // namespace fathom
