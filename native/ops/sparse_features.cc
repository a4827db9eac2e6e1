// Ops of the sparse-input-feature path: dropout on a feature CSR's values, and transpose.
#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

Tensor csr_dropout(const Csr& csr, double p, uint64_t seed, bool transposed,
                   const double* seed_dev) {
  const char* op = "dropout";
  require_csr(op, "csr", csr);
  FATHOM_CHECK(csr.values.defined(), ErrorKind::Type, op,
               arg("csr") + " has no values; build it with csr_from_dense");
  require_floating(op, "csr.values", csr.values);
  require_drop_probability(op, "p", p);
  Tensor out = Tensor::empty({csr.nnz()}, csr.values.dtype(), csr.device());
  if (csr.nnz() == 0) return out;
  // The dense matrix is [rows, cols] for the CSR itself and [cols, rows] for its transpose.
  const int64_t stride_r = transposed ? 1 : csr.cols;
  const int64_t stride_c = transposed ? csr.rows : 1;
  with_float(op, "csr.values", csr.values, [&](auto tag) {
    using T = decltype(tag);
    if (seed_dev != nullptr) {
      FATHOM_LAUNCH(
          op, csr.device(),
          csr_dropout_dev<T>(csr.rows, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col), stride_r,
                             stride_c, p, seed_dev, ptr<T>(csr.values), ptr<T>(out)));
    } else {
      FATHOM_LAUNCH(op, csr.device(),
                    csr_dropout<T>(csr.rows, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col),
                                   stride_r, stride_c, p, seed, ptr<T>(csr.values), ptr<T>(out)));
    }
  });
  return out;
}

Tensor transpose(const Tensor& x) {
  const char* op = "transpose";
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  Tensor out = Tensor::empty({x.dim(1), x.dim(0)}, x.dtype(), x.device());
  if (x.numel() == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(), transpose<T>(x.dim(0), x.dim(1), ptr<T>(x), ptr<T>(out)));
  });
  return out;
}

}  // namespace fathom::ops
