// Diagnostics reductions: argument checks and dispatch (kernels in cpu/diag.cc and cuda/diag.cu).
#include "diag.h"

#include "dispatch.h"

namespace fathom::ops {
using namespace detail;

namespace {

// Beyond this width the n×n Gram (and the host eigensolver after it) stop being cheap.
constexpr int64_t kMaxGramCols = 8192;

}  // namespace

Tensor feature_moments(const Tensor& x, bool gram) {
  const char* op = "feature_moments";
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  const int64_t rows = x.shape()[0];
  const int64_t cols = x.shape()[1];
  FATHOM_CHECK(!gram || cols <= kMaxGramCols, ErrorKind::Range, op,
               arg("x") + " has " + std::to_string(cols) + " columns; the Gram is limited to " +
                   std::to_string(kMaxGramCols) + " (x is " + brief(x) + ")");
  Tensor out = Tensor::empty({3 + 2 * cols + (gram ? cols * cols : 0)}, DType::F64, x.device());
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(),
                  feature_moments<T>(rows, cols, ptr<T>(x), gram, ptr<double>(out)));
  });
  return out;
}

Tensor dirichlet_energy(const Csr& csr, const Tensor& x) {
  const char* op = "dirichlet_energy";
  require_csr(op, "operator", csr);
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  FATHOM_CHECK(csr.rows == csr.cols, ErrorKind::Shape, op,
               arg("operator") + " must be square, got " + csr_brief(csr));
  FATHOM_CHECK(x.shape()[0] == csr.rows, ErrorKind::Shape, op,
               arg("x") + " is " + brief(x) + " but the operator is " + csr_brief(csr) +
                   "; x needs one row per node");
  FATHOM_CHECK(x.device() == csr.device(), ErrorKind::Device, op,
               arg("x") + " is on " + device_name(x.device()) + " but the operator is on " +
                   device_name(csr.device()));
  Tensor out = Tensor::empty({1}, DType::F64, x.device());
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(),
                  dirichlet_energy<T>(csr.rows, x.shape()[1], ptr<int32_t>(csr.rowptr),
                                      ptr<int32_t>(csr.col), ptr<T>(x), ptr<double>(out)));
  });
  return out;
}

Tensor sum_squares(const Tensor& x, const Tensor& y) {
  const char* op = "sum_squares";
  require_floating(op, "x", x);
  if (y.defined()) require_like(op, "x", x, "y", y);
  Tensor out = Tensor::empty({1}, DType::F64, x.device());
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(
        op, x.device(),
        sum_squares<T>(x.numel(), ptr<T>(x), y.defined() ? ptr<T>(y) : nullptr, ptr<double>(out)));
  });
  return out;
}

}  // namespace fathom::ops
