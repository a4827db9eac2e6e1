#include "cpu_allocator.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "../core/error.h"

namespace fathom::cpu {
namespace {

// Physical RAM plus nothing else: no single tensor can usefully be larger. Checked up front
// because with Linux overcommit (vm.overcommit_memory = 1, common in containers) malloc of a
// huge size succeeds, and the first write (fill, copy) then gets the process OOM-killed
// instead of raising an error the caller can handle.
size_t host_limit() {
  static const size_t limit = [] {
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return std::numeric_limits<size_t>::max() / 2;
    return static_cast<size_t>(pages) * static_cast<size_t>(page);
  }();
  return limit;
}

[[noreturn]] void out_of_memory(size_t bytes, const std::string& why) {
  fail(ErrorKind::OutOfMemory, "alloc",
       "could not allocate " + std::to_string(bytes) + " bytes of host memory (" + why + ")");
}

}  // namespace

void* allocate(size_t bytes) {
  // Rounding up to the 64-byte alignment would wrap around for sizes near SIZE_MAX and
  // return a tiny block; the limit check comes first so that cannot happen.
  if (bytes > host_limit()) {
    out_of_memory(bytes, "more than the " + std::to_string(host_limit()) + " bytes of physical memory");
  }
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) out_of_memory(bytes, "the system refused");
  return p;
}

void release(void* ptr, size_t) { std::free(ptr); }

}  // namespace fathom::cpu
