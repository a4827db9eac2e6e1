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

// The copies, memset and every kernel launch go to this thread's stream (current_stream()): the
// legacy default stream, except while a compiled step captures or launches its CUDA graph. A copy
// to or from the host while this thread captures throws Error(Device) naming the copy: it would
// need the step's values on the host, which a graph cannot give (the plan then replays plainly).
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

// ---- CUDA graph capture (compiled steps, plan/plan.cc) -----------------------------------------
// The stream this thread launches on, as a cudaStream_t (nullptr: the legacy default stream).
void* current_stream();
// Whether this thread is capturing a graph: ops then avoid host reads (they would fail anyway).
bool capturing();

// One captured step: a private non-blocking stream, a graph and its executable, and a private
// memory pool. While capturing, every allocation of this thread comes from the pool, and a block
// freed inside the capture goes back to it (never to the shared cache), so the addresses the
// graph holds stay valid and are never handed to code outside it; the pool is freed with the
// graph. Error(Device) where CUDA is absent.
struct Graph;
Graph* graph_create();
// Frees the graph, the executable and the pool's blocks (after the device has finished with them);
// blocks still held by tensors are handed to the shared cache when those tensors go.
void graph_destroy(Graph* g) noexcept;
// Starts capturing this thread's launches into g (thread-local capture mode: a host copy or a
// legacy-stream launch from this thread invalidates the capture instead of running).
void graph_begin(Graph* g);
// Ends the capture and instantiates it. False with the reason when the capture was invalidated,
// failed or left blocks of the pool held outside (`kept` of them may stay live: the step's
// outputs). Always leaves this thread out of capture mode.
bool graph_end(Graph* g, size_t kept, std::string* why) noexcept;
// Ends a capture that threw, discarding it. Never throws.
void graph_abort(Graph* g) noexcept;
// Copies `bytes` of host data to device memory on the graph's stream, ordered before the next
// launch; the host buffer may be reused at once (it is staged).
void graph_upload(Graph* g, void* dst, const void* src, size_t bytes);
// Launches the instantiated graph, after the legacy stream's earlier work and before its later
// work (events both ways), without waiting for it on the host.
void graph_launch(Graph* g);
// Allocates device memory from g's pool outside a capture (the per-step scalar buffer).
void* graph_allocate(Graph* g, size_t bytes);

}  // namespace fathom::cuda
