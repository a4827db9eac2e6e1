// One contiguous allocation on one device. Tensors share storages through shared_ptr.
#pragma once
#include <cstddef>

#include "dtype.h"

namespace fathom {

class Storage {
 public:
  // settled: a CUDA block no kernel in flight can use (cuda::allocate_settled), the destination of
  // an overlapped copy; ignored on the CPU.
  Storage(size_t bytes, Device device, bool settled = false);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t bytes_;
  Device device_;
};

}  // namespace fathom
