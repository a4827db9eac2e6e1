// Validated entry points of the per-edge ops (edge_ops.h).
#include <string>
#include <vector>

#include "dispatch.h"
#include "edge_ops.h"

namespace fathom::ops {
using namespace detail;

namespace {

// Per-entry values: [nnz] (one head) or [nnz, H]. Returns H.
int64_t require_entry_values(const char* op, const char* name, const Csr& csr, const Tensor& t) {
  require_floating(op, name, t);
  require_csr_device(op, csr, name, t);
  FATHOM_CHECK((t.ndim() == 1 || t.ndim() == 2) && t.dim(0) == csr.nnz(), ErrorKind::Shape, op,
               arg(name) + " is " + brief(t) + " but the operator " + csr_brief(csr) + " needs [" +
                   std::to_string(csr.nnz()) + "] or [" + std::to_string(csr.nnz()) +
                   ", H], one row per entry");
  return t.ndim() == 2 ? t.dim(1) : 1;
}

}  // namespace

Tensor edge_softmax(const Csr& csr, const Tensor& logits) {
  const char* op = "edgeSoftmax";
  require_csr(op, "op", csr);
  const int64_t H = require_entry_values(op, "logits", csr, logits);
  Tensor alpha = Tensor::empty(logits.shape(), logits.dtype(), logits.device());
  if (csr.nnz() == 0 || H == 0) return alpha;
  with_float(op, "logits", logits, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(
        op, logits.device(),
        edge_softmax<T>(csr.rows, H, ptr<int32_t>(csr.rowptr), ptr<T>(logits), ptr<T>(alpha)));
  });
  return alpha;
}

Tensor edge_softmax_backward(const Csr& csr, const Tensor& alpha, const Tensor& grad) {
  const char* op = "edgeSoftmaxBackward";
  require_csr(op, "op", csr);
  const int64_t H = require_entry_values(op, "alpha", csr, alpha);
  require_like(op, "alpha", alpha, "grad", grad);
  Tensor dlogits = Tensor::empty(alpha.shape(), alpha.dtype(), alpha.device());
  if (csr.nnz() == 0 || H == 0) return dlogits;
  with_float(op, "alpha", alpha, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, alpha.device(),
                  edge_softmax_backward<T>(csr.rows, H, ptr<int32_t>(csr.rowptr), ptr<T>(alpha),
                                           ptr<T>(grad), ptr<T>(dlogits)));
  });
  return dlogits;
}

Tensor csr_transpose_index(const Csr& csr) {
  const char* op = "csrTransposeIndex";
  require_csr(op, "csr", csr);
  const Tensor rowptr_t = csr.rowptr.to(Device::CPU);
  const Tensor col_t = csr.col.to(Device::CPU);
  const int32_t* rowptr = ptr<int32_t>(rowptr_t);
  const int32_t* col = ptr<int32_t>(col_t);
  const int64_t nnz = csr.nnz();
  std::vector<int64_t> next(static_cast<size_t>(csr.cols) + 1, 0);
  for (int64_t k = 0; k < nnz; ++k) {
    FATHOM_CHECK(col[k] >= 0 && col[k] < csr.cols, ErrorKind::Range, op,
                 arg("csr") + " has column " + std::to_string(col[k]) + " outside [0, " +
                     std::to_string(csr.cols) + ")");
    ++next[static_cast<size_t>(col[k]) + 1];
  }
  for (int64_t c = 0; c < csr.cols; ++c) next[c + 1] += next[c];
  Tensor index = Tensor::empty({nnz}, DType::I32, Device::CPU);
  int32_t* out = ptr<int32_t>(index);
  // The same scan as csr_transpose: rows in order, entries in order, each to its column's next
  // slot.
  for (int64_t r = 0; r < csr.rows; ++r) {
    for (int32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) out[next[col[k]]++] = k;
  }
  return index.to(csr.device());
}

Tensor edge_gather(const Tensor& values, const Tensor& index) {
  const char* op = "edgeGather";
  require_floating(op, "values", values);
  require_ndim(op, "values", values, 1);
  require_dtype(op, "index", index, DType::I32);
  require_ndim(op, "index", index, 1);
  require_same_device(op, "values", values, "index", index);
  FATHOM_CHECK(index.numel() == values.numel(), ErrorKind::Shape, op,
               arg("index") + " is " + brief(index) + " but values is " + brief(values) +
                   "; one index per value");
  if (index.device() == Device::CPU) {
    const int32_t* idx = ptr<int32_t>(index);
    for (int64_t k = 0; k < index.numel(); ++k) {
      FATHOM_CHECK(idx[k] >= 0 && idx[k] < values.numel(), ErrorKind::Range, op,
                   arg("index") + "[" + std::to_string(k) + "] = " + std::to_string(idx[k]) +
                       " is outside [0, " + std::to_string(values.numel()) + ")");
    }
  }
  Tensor out = Tensor::empty(values.shape(), values.dtype(), values.device());
  if (values.numel() == 0) return out;
  with_float(op, "values", values, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(
        op, values.device(),
        gather<T>(values.numel(), ptr<int32_t>(index), ptr<T>(values), ptr<T>(out), T(0)));
  });
  return out;
}

Tensor gather_rows(const Tensor& x, const Tensor& index) {
  const char* op = "gatherRows";
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  require_dtype(op, "index", index, DType::I32);
  require_ndim(op, "index", index, 1);
  const int64_t N = x.dim(0), F = x.dim(1), M = index.numel();
  // The ids are checked on the host (a bad id would read out of bounds): ids on the GPU come
  // back once, which waits for the device; ids on the host go to x's GPU on the copy stream,
  // without waiting, so a loader can gather the next batch while a step runs.
  const Tensor host = index.device() == Device::CPU ? index : index.to(Device::CPU);
  const int32_t* idx = ptr<int32_t>(host);
  for (int64_t k = 0; k < M; ++k) {
    FATHOM_CHECK(idx[k] >= 0 && idx[k] < N, ErrorKind::Range, op,
                 arg("index") + "[" + std::to_string(k) + "] = " + std::to_string(idx[k]) +
                     " is not a row of x " + brief(x));
  }
  Tensor out = Tensor::empty({M, F}, x.dtype(), x.device());
  if (M == 0 || F == 0) return out;
  const Tensor ids = index.device() == x.device() ? index : index.to_overlapped(x.device());
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(), gather_rows<T>(M, F, ptr<int32_t>(ids), ptr<T>(x), ptr<T>(out)));
  });
  return out;
}

}  // namespace fathom::ops
