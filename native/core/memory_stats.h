// Live storage counters per device, reported by memory() in TypeScript, and the memory budget:
// every allocation is checked against a per-device limit on live bytes, so that requests that
// each fit in memory but together do not (three 12 GB tensors on a 32 GB machine) fail with
// Error(OutOfMemory) instead of getting the process OOM-killed on first write.
#pragma once
#include <cstdint>

#include "dtype.h"

namespace fathom {

struct DeviceMemory {
  int64_t live_tensors;  // storages alive (a reshape shares its storage and is not counted twice)
  int64_t live_bytes;
  int64_t peak_bytes;
  int64_t limit_bytes;  // kNoMemoryLimit when unlimited
};

constexpr int64_t kNoMemoryLimit = INT64_MAX;

class MemoryStats {
 public:
  // Counts a new storage of `bytes` on `d`, or, when it would take the live bytes past the
  // limit, throws Error(OutOfMemory) naming `op`, the request, the live bytes and the limit and
  // counts nothing. Thread-safe: the check and the count are one atomic step.
  static void on_alloc(Device d, int64_t bytes, const char* op);
  static void on_free(Device d, int64_t bytes);
  static DeviceMemory get(Device d);
  static void reset_peak(Device d);

  // The limit on live bytes of `d`. By default 80 % of physical memory (or of the cgroup's
  // limit, where lower) for the CPU and 90 % of GPU 0's memory for CUDA (unlimited where CUDA is
  // unavailable: allocating there fails anyway). A limit below the live bytes fails every
  // allocation until enough is freed.
  static int64_t limit(Device d);
  static void set_limit(Device d, int64_t bytes);
  static int64_t default_limit(Device d);
};

}  // namespace fathom
