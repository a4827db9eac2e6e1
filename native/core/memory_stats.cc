#include "memory_stats.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <string>

#include "../cuda/runtime.h"
#include "error.h"

namespace fathom {
namespace {

constexpr int64_t kUnset = -1;  // the default is computed on first use

struct Counters {
  std::atomic<int64_t> tensors{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> peak{0};
  std::atomic<int64_t> limit{kUnset};
};

Counters& counters(Device d) {
  static Counters cpu, cuda;
  return d == Device::CPU ? cpu : cuda;
}

// The memory cgroup's limit (v2, then v1), or kNoMemoryLimit. Containers see the host's RAM in
// sysconf, but the OOM killer acts at the cgroup's limit.
int64_t cgroup_limit() {
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text == "max") continue;
    try {
      const long long v = std::stoll(text);
      if (v > 0) return static_cast<int64_t>(v);
    } catch (const std::exception&) {
    }
  }
  return kNoMemoryLimit;
}

int64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return kNoMemoryLimit;
  return static_cast<int64_t>(pages) * static_cast<int64_t>(page);
}

[[noreturn]] void over_budget(Device d, int64_t bytes, int64_t live, int64_t limit,
                              const char* op) {
  fail(ErrorKind::OutOfMemory, op,
       "could not allocate " + std::to_string(bytes) + " bytes on " + device_name(d) + ": " +
           std::to_string(live) + " bytes are live and the memory limit is " +
           std::to_string(limit) + " bytes (free tensors, or raise it with setMemoryLimit)");
}

}  // namespace

int64_t MemoryStats::default_limit(Device d) {
  if (d == Device::CPU) {
    const int64_t total = std::min(physical_memory(), cgroup_limit());
    return total == kNoMemoryLimit ? kNoMemoryLimit : total / 5 * 4;
  }
  if (!cuda::available(nullptr)) return kNoMemoryLimit;
  try {
    return static_cast<int64_t>(cuda::device_total_memory(0)) / 10 * 9;
  } catch (const Error&) {
    return kNoMemoryLimit;  // the allocation itself will say what is wrong with the device
  }
}

int64_t MemoryStats::limit(Device d) {
  Counters& c = counters(d);
  int64_t limit = c.limit.load();
  if (limit != kUnset) return limit;
  const int64_t fallback = default_limit(d);
  // Another thread may have set a limit meanwhile: theirs wins.
  return c.limit.compare_exchange_strong(limit, fallback) ? fallback : limit;
}

void MemoryStats::set_limit(Device d, int64_t bytes) { counters(d).limit.store(bytes); }

void MemoryStats::on_alloc(Device d, int64_t bytes, const char* op) {
  Counters& c = counters(d);
  const int64_t max = limit(d);
  int64_t live = c.bytes.load();
  int64_t now = 0;
  do {
    // Both are non-negative, so `max - live` cannot overflow.
    if (bytes > 0 && bytes > max - live) over_budget(d, bytes, live, max, op);
    now = live + bytes;
  } while (!c.bytes.compare_exchange_weak(live, now));
  c.tensors.fetch_add(1);
  int64_t peak = c.peak.load();
  while (now > peak && !c.peak.compare_exchange_weak(peak, now)) {
  }
}

void MemoryStats::on_free(Device d, int64_t bytes) {
  Counters& c = counters(d);
  c.tensors.fetch_sub(1);
  c.bytes.fetch_sub(bytes);
}

DeviceMemory MemoryStats::get(Device d) {
  Counters& c = counters(d);
  return {c.tensors.load(), c.bytes.load(), c.peak.load(), limit(d)};
}

void MemoryStats::reset_peak(Device d) {
  Counters& c = counters(d);
  c.peak.store(c.bytes.load());
}

}  // namespace fathom
