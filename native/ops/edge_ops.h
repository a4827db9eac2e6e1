// Per-edge ops of the SKP layers (docs/methods.md §2.3): edge softmax over each CSR row, and the
// plumbing that moves per-entry edge values into the transposed CSR's entry order so the
// backward of a weighted SpMM runs over the transpose without atomics.
#pragma once
#include "../core/tensor.h"
#include "../graph/csr.h"

namespace fathom::ops {

// Softmax over the entries of each row of `csr`, per head. logits: [nnz] or [nnz, H] (f32/f64,
// on csr's device). Returns alpha with logits' shape.
Tensor edge_softmax(const Csr& csr, const Tensor& logits);
// dlogits from alpha (the forward output) and grad (dL/dalpha), both shaped like the logits.
Tensor edge_softmax_backward(const Csr& csr, const Tensor& alpha, const Tensor& grad);

// i32 [nnz] on csr's device: entry k of csr_transpose(csr) came from entry index[k] of csr.
// Follows csr_transpose's stable counting sort (rows scanned in order).
Tensor csr_transpose_index(const Csr& csr);

// out[k] = values[index[k]] for 1-D values (any float dtype) and an i32 index of equal length;
// every index must be in [0, values.numel()) (checked on the CPU side for CPU tensors).
Tensor edge_gather(const Tensor& values, const Tensor& index);

// gatherRows: rows `index` of x [N, F] as a new [index.numel(), F] tensor on x's device (a
// mini-batch's feature rows); every index in [0, N), checked on the host. The index may be on
// the host (copied to x's GPU on the copy stream) or on x's device.
Tensor gather_rows(const Tensor& x, const Tensor& index);

}  // namespace fathom::ops
