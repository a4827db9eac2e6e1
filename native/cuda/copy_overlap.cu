// Overlapped host-to-device copies (runtime.h, copy_to_device_overlapped): a mini-batch loader
// stages the next batch into page-locked memory and copies it on a stream of its own while the
// current step's kernels run; the compute stream waits on an event, never the host.
#include <cuda_runtime.h>

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "../core/error.h"
#include "check.cuh"
#include "runtime.h"

namespace fathom::cuda {

namespace {

// One page-locked staging buffer; `done` is recorded on the copy stream after its last copy.
struct Staging {
  void* host = nullptr;
  size_t bytes = 0;
  cudaEvent_t done = nullptr;
};

// The copy stream and the staging buffers, created on first use; deliberately leaked, as the
// pool (page-locked memory is returned to the system at exit).
struct Copier {
  std::mutex mu;
  cudaStream_t stream = nullptr;
  std::vector<Staging> staging;
};

Copier& copier() {
  static Copier* c = new Copier();
  return *c;
}

// A staging buffer of at least `bytes` whose previous copy has finished, or a new one (sizes in
// powers of two from 64 KiB, so a loader's batches of similar size reuse a few). Caller holds
// the lock.
Staging& staging_for(Copier& c, size_t bytes) {
  for (Staging& s : c.staging) {
    if (s.bytes < bytes) continue;
    const cudaError_t q = cudaEventQuery(s.done);
    if (q == cudaSuccess) return s;
    if (q != cudaErrorNotReady) FATHOM_CUDA_CHECK("cuda.copyOverlapped", q);
    (void)cudaGetLastError();  // cudaErrorNotReady is not sticky, but leaves the last error set
  }
  size_t size = size_t(1) << 16;
  while (size < bytes) size <<= 1;
  Staging s;
  s.bytes = size;
  FATHOM_CUDA_CHECK("cuda.copyOverlapped", cudaHostAlloc(&s.host, size, cudaHostAllocDefault));
  const cudaError_t e = cudaEventCreateWithFlags(&s.done, cudaEventDisableTiming);
  if (e != cudaSuccess) {
    (void)cudaFreeHost(s.host);
    FATHOM_CUDA_CHECK("cuda.copyOverlapped", e);
  }
  c.staging.push_back(s);
  return c.staging.back();
}

}  // namespace

void copy_to_device_overlapped(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  if (capturing()) {
    fail(ErrorKind::Device, "cuda.copyOverlapped",
         "a copy from the host inside a captured CUDA graph step (the step needs a value on the "
         "host)");
  }
  Copier& c = copier();
  std::lock_guard<std::mutex> lock(c.mu);
  // Non-blocking: no implicit ordering against the default stream, which the event provides.
  if (c.stream == nullptr) {
    FATHOM_CUDA_CHECK("cuda.copyOverlapped",
                      cudaStreamCreateWithFlags(&c.stream, cudaStreamNonBlocking));
  }
  Staging& s = staging_for(c, bytes);
  std::memcpy(s.host, src, bytes);
  FATHOM_CUDA_CHECK("cuda.copyOverlapped",
                    cudaMemcpyAsync(dst, s.host, bytes, cudaMemcpyHostToDevice, c.stream));
  FATHOM_CUDA_CHECK("cuda.copyOverlapped", cudaEventRecord(s.done, c.stream));
  FATHOM_CUDA_CHECK("cuda.copyOverlapped", cudaStreamWaitEvent(cudaStreamLegacy, s.done, 0));
}

}  // namespace fathom::cuda
