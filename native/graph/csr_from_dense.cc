// The nonzeros of a dense matrix as a CSR (sparse input features: bag-of-words rows are ~1 %
// nonzero, so products with them cost nnz rather than rows x cols).
#include <limits>
#include <string>
#include <vector>

#include "csr.h"

namespace fathom {
namespace {

template <typename T>
Csr build(const Tensor& host, const char* op) {
  const int64_t rows = host.dim(0), cols = host.dim(1);
  const T* x = host.data<T>();
  std::vector<int32_t> rowptr(static_cast<size_t>(rows + 1), 0);
  std::vector<int32_t> col;
  std::vector<T> values;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const T v = x[r * cols + c];
      if (v == T(0)) continue;
      FATHOM_CHECK(static_cast<int64_t>(col.size()) < std::numeric_limits<int32_t>::max(),
                   ErrorKind::Range, op,
                   "argument x " + host.describe() + " has too many nonzeros for an i32 CSR");
      col.push_back(static_cast<int32_t>(c));
      values.push_back(v);
    }
    rowptr[static_cast<size_t>(r + 1)] = static_cast<int32_t>(col.size());
  }
  const int64_t nnz = static_cast<int64_t>(col.size());
  std::vector<int32_t> perm(col.size());
  for (size_t k = 0; k < perm.size(); ++k) perm[k] = static_cast<int32_t>(k);
  Csr out;
  out.rows = rows;
  out.cols = cols;
  out.rowptr = Tensor::from_host(rowptr.data(), {rows + 1}, DType::I32);
  out.col = Tensor::from_host(col.data(), {nnz}, DType::I32);
  out.perm = Tensor::from_host(perm.data(), {nnz}, DType::I32);
  out.values = Tensor::from_host(values.data(), {nnz}, host.dtype());
  return out;
}

}  // namespace

Csr csr_from_dense(const Tensor& x, const char* op) {
  FATHOM_CHECK(x.defined(), ErrorKind::Type, op, "argument x is undefined");
  FATHOM_CHECK(x.dtype() == DType::F32 || x.dtype() == DType::F64, ErrorKind::Type, op,
               "argument x must be f32 or f64, got " + x.describe());
  FATHOM_CHECK(x.ndim() == 2, ErrorKind::Shape, op, "argument x must be 2-D, got " + x.describe());
  FATHOM_CHECK(x.dim(0) < std::numeric_limits<int32_t>::max() &&
                   x.dim(1) < std::numeric_limits<int32_t>::max(),
               ErrorKind::Range, op, "argument x " + x.describe() + " is too large for an i32 CSR");
  const Tensor host = x.to(Device::CPU);
  Csr built = x.dtype() == DType::F32 ? build<float>(host, op) : build<double>(host, op);
  return x.device() == Device::CPU ? built : csr_to(built, x.device());
}

}  // namespace fathom
