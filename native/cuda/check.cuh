// Error checking for the CUDA backend. Every runtime call goes through FATHOM_CUDA_CHECK and every
// kernel launch is followed by FATHOM_CUDA_LAUNCH_CHECK, so a failure surfaces as
// fathom::Error(Internal, "<op>: <cuda message>") at the call that caused it (or, for faults
// inside a kernel, at the next checked call; set FATHOM_CUDA_SYNC=1 to synchronise after every
// launch and pin such faults on the kernel that raised them).
#pragma once
#include <cuda_runtime.h>

#include <cstdlib>
#include <string>

#include "../core/error.h"
#include "runtime.h"

namespace fathom::cuda::detail {

inline std::string describe(cudaError_t e) {
  return std::string(cudaGetErrorString(e)) + " (" + cudaGetErrorName(e) + ")";
}

[[noreturn]] inline void raise_cuda(const char* op, cudaError_t e) {
  // Clears the non-sticky "last error" so the failure is not reported twice.
  (void)cudaGetLastError();
  const ErrorKind kind = (e == cudaErrorMemoryAllocation) ? ErrorKind::OutOfMemory
                         : (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver)
                             ? ErrorKind::Device
                             : ErrorKind::Internal;
  fail(kind, op, describe(e));
}

// FATHOM_CUDA_SYNC=1 (read once, lazily: nothing runs at static-init time).
inline bool sync_after_launch() {
  static const bool on = [] {
    const char* v = std::getenv("FATHOM_CUDA_SYNC");
    return v != nullptr && v[0] != '\0' && v[0] != '0';
  }();
  return on;
}

}  // namespace fathom::cuda::detail

#define FATHOM_CUDA_CHECK(op, expr)                               \
  do {                                                            \
    const cudaError_t fathom_cuda_err_ = (expr);                  \
    if (fathom_cuda_err_ != cudaSuccess) {                        \
      ::fathom::cuda::detail::raise_cuda((op), fathom_cuda_err_); \
    }                                                             \
  } while (0)

// After every <<<...>>>: launch-configuration errors now, and (with FATHOM_CUDA_SYNC=1) faults
// inside the kernel too.
#define FATHOM_CUDA_LAUNCH_CHECK(op)                                                   \
  do {                                                                                 \
    FATHOM_CUDA_CHECK((op), cudaGetLastError());                                       \
    if (::fathom::cuda::detail::sync_after_launch() && !::fathom::cuda::capturing()) { \
      FATHOM_CUDA_CHECK((op), cudaDeviceSynchronize());                                \
    }                                                                                  \
  } while (0)
