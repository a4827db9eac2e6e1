// Kernels of the sparse-input-feature path on the GPU: dropout on CSR values (the mask hash of
// dense dropout, so values match it at the same seed) and a 2-D transpose.
#include <cstdint>

#include "../core/counter_rng.h"
#include "common.cuh"

namespace fathom::cuda {
namespace {

using namespace detail;

// One thread per row: rows of feature CSRs are short (a document's words).
template <typename T>
__global__ void csr_dropout_kernel(int64_t rows, const int32_t* __restrict__ rowptr,
                                   const int32_t* __restrict__ col, int64_t stride_r,
                                   int64_t stride_c, double p, uint64_t seed, T scale,
                                   const T* __restrict__ vals, T* __restrict__ out,
                                   const double* __restrict__ seed_bits) {
  // csr_dropout_dev: the seed's bytes from device memory (a captured graph's per-step scalar).
  if (seed_bits != nullptr) seed = *reinterpret_cast<const uint64_t*>(seed_bits);
  const ::fathom::DropoutRule rule = ::fathom::dropout_rule(seed, p);
  for (int64_t r = global_thread(); r < rows; r += grid_threads()) {
    for (int32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
      const uint64_t i =
          static_cast<uint64_t>(r * stride_r + static_cast<int64_t>(col[k]) * stride_c);
      out[k] = ::fathom::dropout_keep(rule, i) ? vals[k] * scale : T(0);
    }
  }
}

template <typename T>
__global__ void transpose_kernel(int64_t rows, int64_t cols, const T* __restrict__ x,
                                 T* __restrict__ out) {
  const int64_t n = rows * cols;
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    const int64_t r = i / cols, c = i % cols;
    out[c * rows + r] = x[i];
  }
}

}  // namespace

template <typename T>
void launch_csr_dropout(int64_t rows, const int32_t* rowptr, const int32_t* col, int64_t stride_r,
                        int64_t stride_c, double p, uint64_t seed, const double* seed_bits,
                        const T* vals, T* out) {
  if (rows <= 0) return;
  const T scale = p < 1.0 ? static_cast<T>(1.0 / (1.0 - p)) : T(0);
  csr_dropout_kernel<T><<<blocks_for(rows), kBlock, 0, launch_stream()>>>(
      rows, rowptr, col, stride_r, stride_c, p, seed, scale, vals, out, seed_bits);
  FATHOM_CUDA_LAUNCH_CHECK("csr_dropout");
}

template <typename T>
void csr_dropout(int64_t rows, const int32_t* rowptr, const int32_t* col, int64_t stride_r,
                 int64_t stride_c, double p, uint64_t seed, const T* vals, T* out) {
  launch_csr_dropout<T>(rows, rowptr, col, stride_r, stride_c, p, seed, nullptr, vals, out);
}

template <typename T>
void csr_dropout_dev(int64_t rows, const int32_t* rowptr, const int32_t* col, int64_t stride_r,
                     int64_t stride_c, double p, const double* seed_bits, const T* vals, T* out) {
  launch_csr_dropout<T>(rows, rowptr, col, stride_r, stride_c, p, 0, seed_bits, vals, out);
}

template <typename T>
void transpose(int64_t rows, int64_t cols, const T* x, T* out) {
  if (rows * cols <= 0) return;
  transpose_kernel<T><<<blocks_for(rows * cols), kBlock, 0, launch_stream()>>>(rows, cols, x, out);
  FATHOM_CUDA_LAUNCH_CHECK("transpose");
}

// The float and double instantiations of this file's kernels (core/kernel_list.inc).
#define FATHOM_FAMILY_sparse_features 1
#include "../core/kernel_instances.inc"

}  // namespace fathom::cuda
