#include "tensor.h"

#include <cstring>

#include "../cuda/runtime.h"

namespace fathom {

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

namespace {
// Element counts whose byte size fits in int64 (and so in size_t); anything larger is a shape
// no allocator could serve, rejected before the product can overflow.
void check_shape_size(const Shape& s, DType dtype, const char* op) {
  const int64_t limit = INT64_MAX / static_cast<int64_t>(dtype_size(dtype));
  int64_t n = 1;
  for (int64_t d : s) {
    FATHOM_CHECK(d >= 0, ErrorKind::Range, op, "negative dimension in shape " + shape_str(s));
    FATHOM_CHECK(d == 0 || n <= limit / d, ErrorKind::Range, op,
                 "shape " + shape_str(s) + " has more elements than memory can hold");
    n *= d;
  }
}
}  // namespace

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  check_shape_size(shape, dtype, "Tensor.empty");
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.storage_ = std::make_shared<Storage>(t.nbytes(), device);
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.zero_();
  return t;
}

Tensor Tensor::from_host(const void* src, const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype, Device::CPU);
  if (t.nbytes()) std::memcpy(t.raw(), src, t.nbytes());
  return t;
}

Tensor Tensor::reshape(const Shape& shape) const {
  FATHOM_CHECK(shape_numel(shape) == numel(), ErrorKind::Shape, "reshape",
               "cannot reshape " + describe() + " to " + shape_str(shape));
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::to(Device device) const {
  if (device == this->device()) return *this;
  Tensor t = empty(shape_, dtype_, device);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::to_overlapped(Device device) const {
  if (device == this->device()) return clone();  // a copy, as to() across devices
  if (this->device() != Device::CPU) return to(device);
  check_shape_size(shape_, dtype_, "Tensor.to");
  Tensor t;
  t.shape_ = shape_;
  t.dtype_ = dtype_;
  t.storage_ = std::make_shared<Storage>(t.nbytes(), device, true);
  cuda::copy_to_device_overlapped(t.raw(), raw(), nbytes());
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_, dtype_, device());
  t.copy_from(*this);
  return t;
}

void Tensor::copy_from(const Tensor& src) {
  FATHOM_CHECK(src.shape_ == shape_ && src.dtype_ == dtype_, ErrorKind::Shape, "copy",
               "source " + src.describe() + " does not match destination " + describe());
  size_t n = nbytes();
  if (n == 0) return;
  Device sd = src.device(), dd = device();
  if (sd == Device::CPU && dd == Device::CPU) {
    std::memcpy(raw(), src.raw(), n);
  } else if (sd == Device::CPU) {
    cuda::copy_to_device(raw(), src.raw(), n);
  } else if (dd == Device::CPU) {
    cuda::copy_to_host(raw(), src.raw(), n);
  } else {
    cuda::copy_device_to_device(raw(), src.raw(), n);
  }
}

void Tensor::copy_to_host(void* dst) const {
  size_t n = nbytes();
  if (n == 0) return;
  if (device() == Device::CPU) {
    std::memcpy(dst, raw(), n);
  } else {
    cuda::copy_to_host(dst, raw(), n);
  }
}

void Tensor::zero_() {
  if (nbytes() == 0) return;
  if (device() == Device::CPU) {
    std::memset(raw(), 0, nbytes());
  } else {
    cuda::memset_zero(raw(), nbytes());
  }
}

std::string Tensor::describe() const {
  return std::string(dtype_name(dtype_)) + shape_str(shape_) + " on " + device_name(device());
}

}  // namespace fathom
