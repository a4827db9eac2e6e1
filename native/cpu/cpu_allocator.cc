#include "cpu_allocator.h"

#include <cstdlib>
#include <string>

#include "../core/error.h"

namespace fathom::cpu {

void* allocate(size_t bytes) {
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) {
    fail(ErrorKind::OutOfMemory, "alloc",
         "could not allocate " + std::to_string(bytes) + " bytes of host memory");
  }
  return p;
}

void release(void* ptr, size_t) { std::free(ptr); }

}  // namespace fathom::cpu
