// Constant tensors, dtype conversion and the non-finite census.
#include <cmath>
#include <cstring>
#include <vector>

#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

namespace {

// Integer dtypes must hold `value` exactly (fill) or after truncation toward zero (cast): a
// fill or cast that silently wraps, or turns a NaN into garbage, would corrupt labels and masks.
void require_representable(const char* op, const std::string& what, double value, DType dtype,
                           bool truncate) {
  if (is_floating(dtype)) return;
  const double lo = dtype == DType::U8 ? 0.0 : -2147483648.0;
  const double hi = dtype == DType::U8 ? 255.0 : 2147483647.0;
  const double v = truncate ? std::trunc(value) : value;
  FATHOM_CHECK(std::isfinite(v) && v >= lo && v <= hi && v == std::trunc(v), ErrorKind::Range, op,
               what + " = " + num(value) + " is not representable in " + dtype_name(dtype));
}

double load(const void* base, DType t, int64_t i) {
  switch (t) {
    case DType::F32:
      return static_cast<const float*>(base)[i];
    case DType::F64:
      return static_cast<const double*>(base)[i];
    case DType::I32:
      return static_cast<const int32_t*>(base)[i];
    case DType::U8:
      return static_cast<const uint8_t*>(base)[i];
  }
  return 0;
}

// Integer targets truncate toward zero, as C and PyTorch casts do.
void store(void* base, DType t, int64_t i, double v) {
  switch (t) {
    case DType::F32:
      static_cast<float*>(base)[i] = static_cast<float>(v);
      break;
    case DType::F64:
      static_cast<double*>(base)[i] = v;
      break;
    case DType::I32:
      static_cast<int32_t*>(base)[i] = static_cast<int32_t>(v);
      break;
    case DType::U8:
      static_cast<uint8_t*>(base)[i] = static_cast<uint8_t>(v);
      break;
  }
}

}  // namespace

Tensor fill(const Shape& shape, DType dtype, Device device, double value) {
  const char* op = "fill";
  for (int64_t d : shape) {
    FATHOM_CHECK(d >= 0, ErrorKind::Range, op,
                 "argument shape " + shape_str(shape) + " has a negative dimension");
  }
  require_representable(op, "argument value", value, dtype, false);
  if (!is_floating(dtype)) {
    // The kernels fill floats only; integer constants are rare (masks, labels) and small.
    Tensor host = Tensor::empty(shape, dtype, Device::CPU);
    for (int64_t i = 0; i < host.numel(); ++i) store(host.raw(), dtype, i, value);
    return host.to(device);
  }
  Tensor out = Tensor::empty(shape, dtype, device);
  if (out.numel() == 0) return out;
  with_float(op, "dtype", out, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, device, fill<T>(out.numel(), T(value), ptr<T>(out)));
  });
  return out;
}

Tensor cast(const Tensor& x, DType dtype) {
  const char* op = "cast";
  require_defined(op, "x", x);
  if (x.dtype() == dtype) return x.clone();
  Tensor out = Tensor::empty(x.shape(), dtype, x.device());
  if (x.numel() == 0) return out;
  if (x.dtype() == DType::F32 && dtype == DType::F64) {
    FATHOM_LAUNCH(op, x.device(), cast<float, double>(x.numel(), ptr<float>(x), ptr<double>(out)));
    return out;
  }
  if (x.dtype() == DType::F64 && dtype == DType::F32) {
    FATHOM_LAUNCH(op, x.device(), cast<double, float>(x.numel(), ptr<double>(x), ptr<float>(out)));
    return out;
  }
  // Casts involving integers go through the host, where each value can be checked: they
  // serve labels and masks, never a per-step hot path.
  Tensor src = x.to(Device::CPU);
  Tensor dst = Tensor::empty(x.shape(), dtype, Device::CPU);
  for (int64_t i = 0; i < src.numel(); ++i) {
    const double v = load(src.raw(), src.dtype(), i);
    if (!is_floating(dtype)) {
      require_representable(op, "x[" + std::to_string(i) + "]", v, dtype, true);
    }
    store(dst.raw(), dtype, i, v);
  }
  return dst.to(x.device());
}

int64_t count_nonfinite(const Tensor& x) {
  const char* op = "count_nonfinite";
  require_defined(op, "x", x);
  if (!is_floating(x.dtype()) || x.numel() == 0) return 0;  // integers are always finite
  // One int64 on the device: an f64 [1] tensor is the 8-byte buffer the kernel writes.
  Tensor count = Tensor::zeros({1}, DType::F64, x.device());
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(),
                  count_nonfinite<T>(x.numel(), ptr<T>(x), static_cast<int64_t*>(count.raw())));
  });
  int64_t host = 0;
  count.copy_to_host(&host);
  return host;
}

}  // namespace fathom::ops
