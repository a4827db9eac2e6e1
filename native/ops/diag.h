// Tensor-level diagnostics reductions (docs/methods.md §4): validation, allocation, dispatch. Every
// result is an f64 tensor on the input's device.
#pragma once
#include "../core/tensor.h"
#include "../graph/csr.h"

namespace fathom::ops {

// The moments of a 2-D float tensor x [N, n] (layout in core/kernel_list.inc): f64
// [3 + 2n] without the Gram, [3 + 2n + n²] with it.
Tensor feature_moments(const Tensor& x, bool gram);

// f64 [1]: the Dirichlet energy of x [N, n] under the square operator `csr` (its structure only;
// the gcn operator's CSR, self loops included).
Tensor dirichlet_energy(const Csr& csr, const Tensor& x);

// f64 [1]: Σ (x − y)², or Σ x² when y is undefined; y like x.
Tensor sum_squares(const Tensor& x, const Tensor& y);

}  // namespace fathom::ops
