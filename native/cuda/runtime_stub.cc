// Stand-in for the CUDA runtime in CPU-only builds: every entry point says why CUDA is absent.
#include "../core/error.h"
#include "runtime.h"

namespace fathom::cuda {
namespace {
[[noreturn]] void unavailable(const char* op) {
  fail(ErrorKind::Device, op,
       "this build of Fathom has no CUDA backend (built without a CUDA compiler or with "
       "FATHOM_CUDA=OFF)");
}
}  // namespace

bool available(std::string* why) {
  if (why)
    *why = "built without CUDA (no CUDA compiler was found at build time, or FATHOM_CUDA=OFF)";
  return false;
}
bool compiled() { return false; }
Probe probe() { return Probe{}; }
int device_count() { return 0; }
std::string device_name(int) { unavailable("cuda.deviceName"); }
size_t device_total_memory(int) { unavailable("cuda.deviceMemory"); }
CublasInfo cublas_info() {
  CublasInfo info;
  info.reason = "built without CUDA";
  return info;
}
void* allocate(size_t) { unavailable("cuda.alloc"); }
void release(void*, size_t) {}
size_t cached_bytes() { return 0; }
void empty_cache() {}
void copy_to_device(void*, const void*, size_t) { unavailable("cuda.copy"); }
void* allocate_settled(size_t) { unavailable("cuda.alloc"); }
void copy_to_device_overlapped(void*, const void*, size_t) { unavailable("cuda.copy"); }
void copy_to_host(void*, const void*, size_t) { unavailable("cuda.copy"); }
void copy_device_to_device(void*, const void*, size_t) { unavailable("cuda.copy"); }
void memset_zero(void*, size_t) { unavailable("cuda.memset"); }
void synchronize() {}
void* current_stream() { return nullptr; }
bool capturing() { return false; }
Graph* graph_create() { unavailable("cuda.graph"); }
void graph_destroy(Graph*) noexcept {}
void graph_begin(Graph*) { unavailable("cuda.graph"); }
bool graph_end(Graph*, size_t, std::string* why) noexcept {
  if (why) *why = "built without CUDA";
  return false;
}
void graph_abort(Graph*) noexcept {}
void graph_upload(Graph*, void*, const void*, size_t) { unavailable("cuda.graph"); }
void graph_launch(Graph*) { unavailable("cuda.graph"); }
void* graph_allocate(Graph*, size_t) { unavailable("cuda.graph"); }

}  // namespace fathom::cuda
