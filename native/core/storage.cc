#include "storage.h"

#include "../cpu/cpu_allocator.h"
#include "../cuda/runtime.h"
#include "memory_stats.h"
#include "op_label.h"

namespace fathom {

Storage::Storage(size_t bytes, Device device, bool settled) : bytes_(bytes), device_(device) {
  // Counted (and checked against the budget) before anything is allocated.
  MemoryStats::on_alloc(device, static_cast<int64_t>(bytes), OpLabel::current());
  try {
    data_ = device == Device::CPU ? cpu::allocate(bytes)
            : settled             ? cuda::allocate_settled(bytes)
                                  : cuda::allocate(bytes);
  } catch (...) {
    MemoryStats::on_free(device, static_cast<int64_t>(bytes));
    throw;
  }
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
