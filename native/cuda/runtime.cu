// The CUDA runtime behind runtime.h: device queries, copies and a caching allocator.
//
// Nothing here runs at static-initialisation time and nothing aborts: on a machine with no
// driver or no GPU, available() answers false with the runtime's reason, and every other entry
// point throws fathom::Error, so the addon loads and runs its CPU backend anywhere.
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "../core/error.h"
#include "check.cuh"
#include "runtime.h"

namespace fathom::cuda {
namespace {

// ---- device queries -----------------------------------------------------------------------

// The oldest compute capability this build has code for (x10), from nvcc's list of targets.
// Machine code for sm_80 runs on every 8.x GPU; PTX for the newest target (compute_90) is
// embedded too, so GPUs newer than the build JIT it.
constexpr int oldest_target() {
#ifdef __CUDA_ARCH_LIST__
  constexpr int list[] = {__CUDA_ARCH_LIST__};
  int m = list[0];
  for (int a : list) m = a < m ? a : m;
  return m / 10;
#else
  return 0;
#endif
}

void check_index(const char* op, int index) {
  const int n = device_count();
  FATHOM_CHECK(index >= 0 && index < n, ErrorKind::Range, op,
               "device index " + std::to_string(index) + " is out of range (" + std::to_string(n) +
                   " CUDA device" + (n == 1 ? "" : "s") + " visible)");
}

cudaDeviceProp properties(const char* op, int index) {
  check_index(op, index);
  cudaDeviceProp prop{};
  FATHOM_CUDA_CHECK(op, cudaGetDeviceProperties(&prop, index));
  return prop;
}

// ---- caching allocator --------------------------------------------------------------------

constexpr size_t kSmallLimit = size_t(1) << 20;  // up to 1 MiB: 512-byte granularity
constexpr size_t kSmallRound = 512;
constexpr size_t kLargeRound = size_t(2) << 20;  // above: 2 MiB granularity

// 0 when the request cannot be rounded without overflowing.
size_t round_size(size_t bytes) {
  if (bytes == 0) return kSmallRound;  // a real block: callers may rely on a non-null pointer
  const size_t g = bytes <= kSmallLimit ? kSmallRound : kLargeRound;
  if (bytes > SIZE_MAX - g) return 0;
  return (bytes + g - 1) / g * g;
}

// A cached block of `have` bytes serves a rounded request of `want` bytes when it wastes at most
// a factor: half the block for small ones, an eighth (at least one granule) for large ones.
bool fits(size_t have, size_t want) {
  if (have < want) return false;
  if (want <= kSmallLimit) return have <= 2 * want;
  const size_t slack = std::max(kLargeRound, want / 8);
  return have - want <= slack;
}

// Set by the first allocation: until then no kernel can have run, so synchronize() has nothing
// to wait for and must not create a CUDA context (or fail on a machine with no GPU).
std::atomic<bool> g_used{false};

struct PrivatePool;

struct LiveBlock {
  size_t size;         // the real (rounded) size
  PrivatePool* owner;  // the graph pool it returns to, or null: the shared cache
};

struct Pool {
  std::mutex mu;
  std::multimap<size_t, void*> free_blocks;   // size -> block, best fit by lower_bound
  std::unordered_map<void*, LiveBlock> live;  // every block handed out
  size_t cached = 0;                          // bytes in free_blocks
  // For allocate_settled: releases are numbered; a block released at or before `settled` (the
  // count at the last full synchronization) has no kernel in flight that uses it.
  uint64_t releases = 0;
  uint64_t settled = 0;
  std::unordered_map<void*, uint64_t> released_at;  // free block -> its release number
};

// A graph's own blocks (runtime.h, Graph): the shared pool's mutex guards it too.
struct PrivatePool {
  std::multimap<size_t, void*> free_blocks;
  std::vector<void*> all;  // every block it ever made, freed with it
  size_t live = 0;         // of those, how many are handed out
};

// This thread's stream and, while it captures, the pool its allocations come from.
thread_local cudaStream_t t_stream = nullptr;
thread_local PrivatePool* t_pool = nullptr;
thread_local bool t_capturing = false;

// cudaMalloc inside a capture: relaxed mode for the call (the allocation is not a stream
// operation, and the capture must not be invalidated by it).
cudaError_t malloc_relaxed(void** ptr, size_t bytes) {
  cudaStreamCaptureMode mode = cudaStreamCaptureModeRelaxed;
  if (t_capturing) (void)cudaThreadExchangeStreamCaptureMode(&mode);
  const cudaError_t e = cudaMalloc(ptr, bytes);
  if (t_capturing) (void)cudaThreadExchangeStreamCaptureMode(&mode);
  return e;
}

[[noreturn]] void host_copy_in_capture(const char* what) {
  fail(ErrorKind::Device, "cuda.copy",
       std::string("a copy ") + what +
           " inside a captured CUDA graph step (the step needs a value on the host)");
}

// Deliberately leaked: tensors may be released from other static destructors at exit, after a
// function-local static pool would already be gone.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

// Frees every cached block. Caller holds the lock. Returns the first error cudaFree reported.
cudaError_t drain_locked(Pool& p) {
  cudaError_t first = cudaSuccess;
  for (auto& [size, ptr] : p.free_blocks) {
    (void)size;
    const cudaError_t e = cudaFree(ptr);
    if (e != cudaSuccess && first == cudaSuccess) first = e;
  }
  p.free_blocks.clear();
  p.released_at.clear();
  p.cached = 0;
  if (first != cudaSuccess) (void)cudaGetLastError();
  return first;
}

[[noreturn]] void out_of_memory(size_t bytes) {
  size_t free_b = 0, total_b = 0;
  std::string where;
  if (cudaMemGetInfo(&free_b, &total_b) == cudaSuccess) {
    where = " (free " + std::to_string(free_b) + " of " + std::to_string(total_b) + " bytes)";
  } else {
    (void)cudaGetLastError();
  }
  fail(ErrorKind::OutOfMemory, "cuda.alloc",
       "could not allocate " + std::to_string(bytes) + " bytes on GPU 0" + where);
}

}  // namespace

bool compiled() { return true; }

Probe probe() {
  Probe p;
  p.runtime_version = CUDART_VERSION;
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    p.error = static_cast<int>(e);
    p.error_name = cudaGetErrorName(e);
  } else {
    p.device_count = n;
  }
  // 0 when no driver is installed (and then cudaGetDeviceCount says the driver is insufficient).
  if (cudaDriverGetVersion(&p.driver_version) != cudaSuccess) {
    (void)cudaGetLastError();
    p.driver_version = 0;
  }
  return p;
}

bool available(std::string* why) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    if (why) *why = std::string("no usable CUDA driver or device: ") + cudaGetErrorString(e);
    return false;
  }
  if (n <= 0) {
    if (why) *why = "no CUDA device found";
    return false;
  }
  int major = 0, minor = 0;
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0) != cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0) != cudaSuccess) {
    const cudaError_t a = cudaGetLastError();
    if (why) *why = std::string("cannot query GPU 0: ") + cudaGetErrorString(a);
    return false;
  }
  const int have = major * 10 + minor;
  if (have < oldest_target()) {
    if (why) {
      *why = "GPU 0 has compute capability " + std::to_string(major) + "." + std::to_string(minor) +
             " but this build's CUDA kernels need " + std::to_string(oldest_target() / 10) + "." +
             std::to_string(oldest_target() % 10) + " or newer";
    }
    return false;
  }
  if (why) why->clear();
  return true;
}

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return n;
}

std::string device_name(int index) { return properties("cuda.deviceName", index).name; }

size_t device_total_memory(int index) {
  return properties("cuda.deviceMemory", index).totalGlobalMem;
}

namespace {

// From the graph pool of this thread's capture. Caller holds the lock.
void* allocate_private_locked(Pool& p, PrivatePool& g, size_t want, size_t bytes) {
  auto it = g.free_blocks.lower_bound(want);
  if (it != g.free_blocks.end() && fits(it->first, want)) {
    void* ptr = it->second;
    const size_t size = it->first;
    g.free_blocks.erase(it);
    ++g.live;
    p.live.emplace(ptr, LiveBlock{size, &g});
    return ptr;
  }
  void* ptr = nullptr;
  const cudaError_t e = malloc_relaxed(&ptr, want);
  if (e == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    out_of_memory(bytes);  // no draining inside a capture: cudaFree would end it
  }
  FATHOM_CUDA_CHECK("cuda.alloc", e);
  g.all.push_back(ptr);
  ++g.live;
  p.live.emplace(ptr, LiveBlock{want, &g});
  g_used.store(true, std::memory_order_relaxed);
  return ptr;
}

// A cached block of at least `want` bytes (any, or with `settled` one released before the last
// full synchronization), else a new one from the driver. Caller holds the lock.
void* allocate_locked(Pool& p, size_t bytes, size_t want, bool settled) {
  for (auto it = p.free_blocks.lower_bound(want);
       it != p.free_blocks.end() && fits(it->first, want); ++it) {
    void* ptr = it->second;
    if (settled && p.released_at[ptr] > p.settled) continue;
    const size_t size = it->first;
    p.free_blocks.erase(it);
    p.released_at.erase(ptr);
    p.cached -= size;
    p.live.emplace(ptr, LiveBlock{size, nullptr});
    return ptr;
  }

  void* ptr = nullptr;
  cudaError_t e = cudaMalloc(&ptr, want);
  if (e == cudaErrorMemoryAllocation) {
    // Give the cached blocks back to the driver and try once more.
    (void)cudaGetLastError();
    (void)drain_locked(p);
    ptr = nullptr;
    e = cudaMalloc(&ptr, want);
    if (e == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      out_of_memory(bytes);
    }
  }
  FATHOM_CUDA_CHECK("cuda.alloc", e);
  p.live.emplace(ptr, LiveBlock{want, nullptr});
  g_used.store(true, std::memory_order_relaxed);
  return ptr;
}

void* allocate_from_pool(size_t bytes, bool settled) {
  const size_t want = round_size(bytes);
  if (want == 0) out_of_memory(bytes);
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  if (t_pool != nullptr) return allocate_private_locked(p, *t_pool, want, bytes);
  return allocate_locked(p, bytes, want, settled);
}

// Called after the device finished all queued work: every block free now is settled.
void mark_settled() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  p.settled = p.releases;
}

}  // namespace

void* allocate(size_t bytes) { return allocate_from_pool(bytes, false); }

void* allocate_settled(size_t bytes) { return allocate_from_pool(bytes, true); }

// Never throws (tensors release from destructors). Unknown pointers are ignored.
void release(void* ptr, size_t /*bytes: the pool knows the block's real size*/) {
  if (ptr == nullptr) return;
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  auto it = p.live.find(ptr);
  if (it == p.live.end()) return;
  const LiveBlock block = it->second;
  p.live.erase(it);
  if (block.owner != nullptr) {
    --block.owner->live;
    block.owner->free_blocks.emplace(block.size, ptr);
    return;
  }
  p.free_blocks.emplace(block.size, ptr);
  p.released_at[ptr] = ++p.releases;
  p.cached += block.size;
}

size_t cached_bytes() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  return p.cached;
}

// Never throws (the addon calls it unguarded): a cudaFree that fails leaves the device in an
// error state that the next checked call reports anyway.
void empty_cache() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  if (!p.free_blocks.empty()) (void)drain_locked(p);
}

void copy_to_device(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  if (t_capturing) host_copy_in_capture("from the host");
  FATHOM_CUDA_CHECK("cuda.copy", cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
}

void copy_to_host(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  if (t_capturing) host_copy_in_capture("to the host");
  FATHOM_CUDA_CHECK("cuda.copy", cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
  // A device-to-host cudaMemcpy on the default stream returns after all work queued before it.
  mark_settled();
}

// Device-side copies and memsets are queued on this thread's stream (asynchronous for the host
// either way), so that a capture records them.
void copy_device_to_device(void* dst, const void* src, size_t bytes) {
  if (bytes == 0 || dst == src) return;
  FATHOM_CUDA_CHECK("cuda.copy",
                    cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, t_stream));
}

void memset_zero(void* dst, size_t bytes) {
  if (bytes == 0) return;
  FATHOM_CUDA_CHECK("cuda.memset", cudaMemsetAsync(dst, 0, bytes, t_stream));
}

void synchronize() {
  if (!g_used.load(std::memory_order_relaxed)) return;
  if (t_capturing) {
    fail(ErrorKind::Device, "cuda.synchronize",
         "a synchronization inside a captured CUDA graph step");
  }
  FATHOM_CUDA_CHECK("cuda.synchronize", cudaDeviceSynchronize());
  mark_settled();
}

void* current_stream() { return t_stream; }
bool capturing() { return t_capturing; }

// ---- CUDA graphs --------------------------------------------------------------------------

struct Graph {
  cudaStream_t stream = nullptr;
  cudaEvent_t before = nullptr;  // the legacy stream's work so far, waited for by the graph
  cudaEvent_t after = nullptr;   // the graph's work, waited for by the legacy stream
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  PrivatePool pool;
  cudaStream_t saved_stream = nullptr;
};

Graph* graph_create() {
  const char* op = "cuda.graph";
  auto g = std::make_unique<Graph>();
  FATHOM_CUDA_CHECK(op, cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking));
  FATHOM_CUDA_CHECK(op, cudaEventCreateWithFlags(&g->before, cudaEventDisableTiming));
  FATHOM_CUDA_CHECK(op, cudaEventCreateWithFlags(&g->after, cudaEventDisableTiming));
  g_used.store(true, std::memory_order_relaxed);
  return g.release();
}

void graph_destroy(Graph* g) noexcept {
  if (g == nullptr) return;
  // The graph may still run: wait for it before its memory goes.
  if (g->stream != nullptr) (void)cudaStreamSynchronize(g->stream);
  if (g->exec != nullptr) (void)cudaGraphExecDestroy(g->exec);
  if (g->graph != nullptr) (void)cudaGraphDestroy(g->graph);
  {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mu);
    for (auto& [size, ptr] : g->pool.free_blocks) {
      (void)size;
      (void)cudaFree(ptr);
    }
    // Blocks still held (tensors that outlived the plan) join the shared cache when released.
    for (auto& [ptr, block] : p.live) {
      (void)ptr;
      if (block.owner == &g->pool) block.owner = nullptr;
    }
  }
  if (g->before != nullptr) (void)cudaEventDestroy(g->before);
  if (g->after != nullptr) (void)cudaEventDestroy(g->after);
  if (g->stream != nullptr) (void)cudaStreamDestroy(g->stream);
  (void)cudaGetLastError();
  delete g;
}

void graph_begin(Graph* g) {
  const char* op = "cuda.graph";
  FATHOM_CHECK(!t_capturing, ErrorKind::Internal, op,
               "a capture is already running on this thread");
  // Earlier work of the legacy stream (the eager warm-up, the inputs' uploads) comes first.
  FATHOM_CUDA_CHECK(op, cudaEventRecord(g->before, nullptr));
  FATHOM_CUDA_CHECK(op, cudaStreamWaitEvent(g->stream, g->before, 0));
  FATHOM_CUDA_CHECK(op, cudaStreamBeginCapture(g->stream, cudaStreamCaptureModeThreadLocal));
  g->saved_stream = t_stream;
  t_stream = g->stream;
  t_pool = &g->pool;
  t_capturing = true;
}

namespace {

void leave_capture(Graph* g) {
  t_stream = g->saved_stream;
  t_pool = nullptr;
  t_capturing = false;
}

}  // namespace

bool graph_end(Graph* g, size_t kept, std::string* why) noexcept {
  leave_capture(g);
  cudaGraph_t graph = nullptr;
  const cudaError_t e = cudaStreamEndCapture(g->stream, &graph);
  if (e != cudaSuccess || graph == nullptr) {
    (void)cudaGetLastError();
    if (graph != nullptr) (void)cudaGraphDestroy(graph);
    if (why) *why = std::string("the capture failed: ") + detail::describe(e);
    return false;
  }
  size_t live = 0;
  {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mu);
    live = g->pool.live;
  }
  if (live > kept) {
    (void)cudaGraphDestroy(graph);
    if (why) {
      *why =
          std::to_string(live - kept) +
          " tensor(s) made inside the captured step outlive it (state the graph would overwrite)";
    }
    return false;
  }
  cudaGraphExec_t exec = nullptr;
  const cudaError_t ie = cudaGraphInstantiate(&exec, graph, 0);
  if (ie != cudaSuccess) {
    (void)cudaGetLastError();
    (void)cudaGraphDestroy(graph);
    if (why) *why = std::string("cudaGraphInstantiate failed: ") + detail::describe(ie);
    return false;
  }
  g->graph = graph;
  g->exec = exec;
  return true;
}

void graph_abort(Graph* g) noexcept {
  leave_capture(g);
  cudaGraph_t graph = nullptr;
  (void)cudaStreamEndCapture(g->stream, &graph);
  if (graph != nullptr) (void)cudaGraphDestroy(graph);
  (void)cudaGetLastError();
}

void graph_upload(Graph* g, void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  // Pageable source: the runtime stages it before returning, so the caller may reuse it.
  FATHOM_CUDA_CHECK("cuda.graph",
                    cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, g->stream));
}

void graph_launch(Graph* g) {
  const char* op = "cuda.graph";
  FATHOM_CHECK(g->exec != nullptr, ErrorKind::Internal, op, "launch of a graph never captured");
  FATHOM_CUDA_CHECK(op, cudaEventRecord(g->before, nullptr));
  FATHOM_CUDA_CHECK(op, cudaStreamWaitEvent(g->stream, g->before, 0));
  FATHOM_CUDA_CHECK(op, cudaGraphLaunch(g->exec, g->stream));
  FATHOM_CUDA_CHECK(op, cudaEventRecord(g->after, g->stream));
  FATHOM_CUDA_CHECK(op, cudaStreamWaitEvent(nullptr, g->after, 0));
  if (detail::sync_after_launch()) FATHOM_CUDA_CHECK(op, cudaStreamSynchronize(g->stream));
}

void* graph_allocate(Graph* g, size_t bytes) {
  const size_t want = round_size(bytes);
  if (want == 0) out_of_memory(bytes);
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  return allocate_private_locked(p, g->pool, want, bytes);
}

}  // namespace fathom::cuda
