// Element types and devices shared by every layer of the native core.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fathom {

enum class DType : int32_t { F32 = 0, F64 = 1, I32 = 2, U8 = 3 };
enum class Device : int32_t { CPU = 0, CUDA = 1 };

size_t dtype_size(DType t);
const char* dtype_name(DType t);
const char* device_name(Device d);
// The inverses of dtype_name and device_name: false for an unknown name.
bool dtype_from_name(const char* name, DType* out);
bool device_from_name(const char* name, Device* out);
bool is_floating(DType t);

template <typename T>
struct dtype_of;
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::F32;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = DType::F64;
};
template <>
struct dtype_of<int32_t> {
  static constexpr DType value = DType::I32;
};
template <>
struct dtype_of<uint8_t> {
  static constexpr DType value = DType::U8;
};

}  // namespace fathom
