#include "memory_stats.h"

#include <atomic>

namespace fathom {
namespace {

struct Counters {
  std::atomic<int64_t> tensors{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> peak{0};
};

Counters& counters(Device d) {
  static Counters cpu, cuda;
  return d == Device::CPU ? cpu : cuda;
}

}  // namespace

void MemoryStats::on_alloc(Device d, int64_t bytes) {
  Counters& c = counters(d);
  c.tensors.fetch_add(1);
  int64_t now = c.bytes.fetch_add(bytes) + bytes;
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
  return {c.tensors.load(), c.bytes.load(), c.peak.load()};
}

void MemoryStats::reset_peak(Device d) {
  Counters& c = counters(d);
  c.peak.store(c.bytes.load());
}

}  // namespace fathom
