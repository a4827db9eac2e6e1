// Live storage counters per device, reported by memory() in TypeScript.
#pragma once
#include <cstdint>

#include "dtype.h"

namespace fathom {

struct DeviceMemory {
  int64_t live_tensors;  // storages alive (a reshape shares its storage and is not counted twice)
  int64_t live_bytes;
  int64_t peak_bytes;
};

class MemoryStats {
 public:
  static void on_alloc(Device d, int64_t bytes);
  static void on_free(Device d, int64_t bytes);
  static DeviceMemory get(Device d);
  static void reset_peak(Device d);
};

}  // namespace fathom
