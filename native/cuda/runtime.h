// The CUDA runtime as the core sees it. Implemented by runtime.cu (and cublas_info by
// cublas_loader.cc) when the CUDA backend is built, and by runtime_stub.cc otherwise, so no other
// file needs #ifdefs.
#pragma once
#include <cstddef>
#include <string>

namespace fathom::cuda {

// True when built with CUDA and at least one device answers. `why` says what is missing.
bool available(std::string* why);
bool compiled();

// What the CUDA runtime answered when asked for its devices, for the messages that explain it
// (lib/runtime/cudaStatus.ts): the cudaError_t code (0: none), the installed driver's CUDA version
// and this build's runtime version (1000 * major + 10 * minor; the driver's is 0 where no NVIDIA
// driver is installed), and the number of devices. All zero in a CPU-only build.
struct Probe {
  int error = 0;
  std::string error_name;
  int driver_version = 0;
  int runtime_version = 0;
  int device_count = 0;
};
Probe probe();
int device_count();
std::string device_name(int index);
size_t device_total_memory(int index);

// Whether GEMM on the GPU goes through cuBLAS, opened at run time (cublas_loader.h): the file
// loaded and its version, or why it is not (no libcublas found, one that lacks an entry point,
// FATHOM_CUBLAS=off, or a handle that could not be created); the built-in kernel runs then.
// The first call tries to load it.
struct CublasInfo {
  bool loaded = false;
  std::string library;
  std::string version;
  std::string reason;
};
CublasInfo cublas_info();

// Caching allocator: freed blocks are kept by size class and reused; throws Error(OutOfMemory)
// naming the request size when the device is full even after the cache was emptied.
void* allocate(size_t bytes);
void release(void* ptr, size_t bytes);
size_t cached_bytes();
void empty_cache();

void copy_to_device(void* dst, const void* src, size_t bytes);

// Overlapped host-to-device copies, for a loader moving the next batch while the current step
// runs (PyG's pin_memory + non_blocking; docs/partition-batches.md):
//   allocate_settled: a block no queued kernel can still use — one freed before the last full
//     synchronization (synchronize, copy_to_host) or a fresh one. A block freed since may still
//     be read or written by kernels in flight, which a copy on another stream would race.
//   copy_to_device_overlapped: src is staged into page-locked host memory (so the caller may
//     free src on return), copied on a dedicated non-blocking copy stream, and an event recorded
//     after the copy makes the compute stream (the default stream every kernel runs on) wait:
//     kernels queued later see the data; kernels already queued run on meanwhile and the host
//     never waits. dst must come from allocate_settled. Staging buffers are reused once their
//     copy's event has completed.
void* allocate_settled(size_t bytes);
void copy_to_device_overlapped(void* dst, const void* src, size_t bytes);
void copy_to_host(void* dst, const void* src, size_t bytes);
void copy_device_to_device(void* dst, const void* src, size_t bytes);
void memset_zero(void* dst, size_t bytes);
void synchronize();

}  // namespace fathom::cuda
