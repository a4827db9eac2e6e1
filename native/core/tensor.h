// A dense, contiguous, row-major n-d array on one device.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dtype.h"
#include "error.h"
#include "storage.h"

namespace fathom {

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& s);  // "[2708, 1433]"
int64_t shape_numel(const Shape& s);

class Tensor {
 public:
  Tensor() = default;

  static Tensor empty(const Shape& shape, DType dtype, Device device);
  static Tensor zeros(const Shape& shape, DType dtype, Device device);
  // Copies `bytes` host bytes into a new CPU tensor.
  static Tensor from_host(const void* src, const Shape& shape, DType dtype);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_.at(static_cast<size_t>(i)); }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_ ? storage_->device() : Device::CPU; }
  void* raw() const { return storage_ ? storage_->data() : nullptr; }

  template <typename T>
  T* data() const {
    if (dtype_of<T>::value != dtype_) {
      fail(ErrorKind::Type, "Tensor.data",
           std::string("requested ") + dtype_name(dtype_of<T>::value) + " from " + describe());
    }
    return static_cast<T*>(raw());
  }

  // Shares storage; numel must match.
  Tensor reshape(const Shape& shape) const;
  Tensor to(Device device) const;  // copy (or this tensor if already there)
  // A CPU tensor's copy on CUDA through the overlapped path (cuda::copy_to_device_overlapped):
  // returns at once, kernels queued afterwards see the data. Any other move is to(), and the
  // same device a clone().
  Tensor to_overlapped(Device device) const;
  Tensor clone() const;
  void copy_from(const Tensor& src);  // same shape and dtype, any devices
  void copy_to_host(void* dst) const;
  void zero_();

  std::string describe() const;  // "f32[2708, 1433] on cpu"

 private:
  std::shared_ptr<Storage> storage_;
  Shape shape_;
  DType dtype_ = DType::F32;
};

}  // namespace fathom
