// cuBLAS opened at run time (dlopen), so one binary serves machines with and without it: GEMM on
// the GPU goes through libcublas when it loads and through the built-in tiled kernel otherwise.
//
// No cuBLAS header is needed to build: the few entry points gemm.cu calls are declared here with
// the C ABI of cublas_api.h (cuBLAS 12 and 13 export them under these names; cublas_v2.h maps
// cublasCreate, cublasSgemm, ... to the `_v2` symbols). The handle is an opaque pointer and the
// enums are C ints whose values NVIDIA documents and keeps stable.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace fathom::cuda::cublas {

struct Context;
using Handle = Context*;  // cublasHandle_t
using Status = int;       // cublasStatus_t

constexpr Status kStatusSuccess = 0;      // CUBLAS_STATUS_SUCCESS
constexpr Status kStatusAllocFailed = 3;  // CUBLAS_STATUS_ALLOC_FAILED
constexpr int kOpN = 0;                   // CUBLAS_OP_N
constexpr int kOpT = 1;                   // CUBLAS_OP_T
constexpr int kDefaultMath = 0;           // CUBLAS_DEFAULT_MATH (no TF32)
constexpr int kPointerModeHost = 0;       // CUBLAS_POINTER_MODE_HOST

// The resolved entry points of one loaded libcublas, valid for the life of the process.
struct Api {
  Status (*create)(Handle*);                // cublasCreate_v2
  Status (*set_stream)(Handle, void*);      // cublasSetStream_v2 (cudaStream_t)
  Status (*set_math_mode)(Handle, int);     // cublasSetMathMode
  Status (*set_pointer_mode)(Handle, int);  // cublasSetPointerMode_v2
  Status (*sgemm)(Handle, int, int, int, int, int, const float*, const float*, int, const float*,
                  int, const float*, float*, int);  // cublasSgemm_v2
  Status (*dgemm)(Handle, int, int, int, int, int, const double*, const double*, int, const double*,
                  int, const double*, double*, int);  // cublasDgemm_v2
  const char* (*status_name)(Status);                 // cublasGetStatusName
  const char* (*status_string)(Status);               // cublasGetStatusString
  // cublasSetWorkspace_v2 (handle, device memory, bytes): optional, null where the library lacks
  // it. gemm.cu gives the handle its own workspace with it, so that a GEMM captured into a CUDA
  // graph never makes cuBLAS allocate one (cublasSetStream resets the workspace, hence it is set
  // again after every cublasSetStream).
  Status (*set_workspace)(Handle, void*, size_t) = nullptr;
  std::string path;     // the file that was loaded
  std::string version;  // "13.0.2", from cublasGetProperty; "" if unknown
};

// Opens the first candidate (a soname searched as dlopen searches, or a path) that loads and
// exports every entry point of Api. Never throws and never aborts: nullptr, with `why` saying
// what each failed candidate lacked, when none does. The library is never closed.
const Api* open_first(const std::vector<std::string>& candidates, std::string* why);

// The candidates in the order tried: FATHOM_CUBLAS when set (a path; "0" or "off": none, so the
// built-in kernel runs), else libcublas.so.13, libcublas.so.12 and libcublas.so on the library
// path, then in $CUDA_HOME/lib64, $CUDA_PATH/lib64 and /usr/local/cuda/lib64.
std::vector<std::string> default_candidates();

// The process's cuBLAS: the default candidates, tried once on first call (thread-safe).
const Api* api();
// Why api() is null ("" when it is not).
std::string unavailable_reason();

// gemm.cu marks cuBLAS unusable when it loads but cannot create a handle (a cuBLAS too old for
// the GPU, say): GEMM goes to the built-in kernel from then on and the reason is reported.
void disable(const std::string& why);

}  // namespace fathom::cuda::cublas
