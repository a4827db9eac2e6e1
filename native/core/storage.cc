#include "storage.h"

#include "../cpu/cpu_allocator.h"
#include "../cuda/runtime.h"
#include "memory_stats.h"

namespace fathom {

Storage::Storage(size_t bytes, Device device) : bytes_(bytes), device_(device) {
  data_ = device == Device::CPU ? cpu::allocate(bytes) : cuda::allocate(bytes);
  MemoryStats::on_alloc(device, static_cast<int64_t>(bytes));
}

Storage::~Storage() {
  if (device_ == Device::CPU) {
    cpu::release(data_, bytes_);
  } else {
    cuda::release(data_, bytes_);
  }
  MemoryStats::on_free(device_, static_cast<int64_t>(bytes_));
}

}  // namespace fathom
