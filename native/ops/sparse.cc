// Sparse-dense products over a CSR operator: message passing (spmm) and per-edge scores (sddmm).
#include <cmath>

#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

namespace {

// "one row per node (5)" for a graph's square operator, "5 rows, one per column of the operator"
// for a rectangular one (sparse features).
std::string rows_wanted(const Csr& csr, int64_t n) {
  return csr.rows == csr.cols ? "one row per node (" + std::to_string(n) + ")"
                              : std::to_string(n) + " rows, one per column of the operator";
}

// The weights spmm multiplies by: edge_values when given, else the operator's own values, else
// none (an unweighted operator). Either must already be in x's dtype: a silent cast per call
// would hide a model built in the wrong precision.
const Tensor* spmm_weights(const char* op, const Csr& csr, const Tensor& edge_values,
                           const Tensor& x) {
  if (edge_values.defined()) {
    require_same_device(op, "x", x, "edgeValues", edge_values);
    require_same_dtype(op, "x", x, "edgeValues", edge_values);
    FATHOM_CHECK(edge_values.ndim() == 1 && edge_values.dim(0) == csr.nnz(), ErrorKind::Shape, op,
                 arg("edgeValues") + " is " + brief(edge_values) + " but the operator " +
                     csr_brief(csr) + " needs [" + std::to_string(csr.nnz()) + "], one per entry");
    return &edge_values;
  }
  if (csr.values.defined()) {
    FATHOM_CHECK(csr.values.dtype() == x.dtype(), ErrorKind::Type, op,
                 arg("x") + " is " + brief(x) + " but the operator " + csr_brief(csr) + " has " +
                     dtype_name(csr.values.dtype()) + " values; build the operator in x's dtype");
    FATHOM_CHECK(csr.values.numel() == csr.nnz(), ErrorKind::Shape, op,
                 "the operator " + csr_brief(csr) + " has values " + brief(csr.values));
    FATHOM_CHECK(csr.values.device() == x.device(), ErrorKind::Device, op,
                 arg("x") + " is " + x.describe() + " but the values of the operator " +
                     csr_brief(csr) + " are on " + device_name(csr.values.device()));
    return &csr.values;
  }
  return nullptr;
}

// The operator, the dense operand and the coefficients of alpha·A·x + self_scale·x.
void require_spmm_operands(const char* op, const Csr& csr, const Tensor& x, double alpha,
                           double self_scale) {
  require_csr(op, "op", csr);
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  require_csr_device(op, csr, "x", x);
  FATHOM_CHECK(x.dim(0) == csr.cols, ErrorKind::Shape, op,
               arg("x") + " is " + brief(x) + " but the operator " + csr_brief(csr) + " needs " +
                   rows_wanted(csr, csr.cols));
  require_finite(op, "alpha", alpha);
  require_finite(op, "selfScale", self_scale);
  FATHOM_CHECK(self_scale == 0 || csr.rows == csr.cols, ErrorKind::Shape, op,
               arg("selfScale") + " = " + num(self_scale) + " needs a square operator, got " +
                   csr_brief(csr));
}

}  // namespace

Tensor spmm(const Csr& csr, const Tensor& edge_values, const Tensor& x, double alpha,
            double self_scale, const char* op) {
  require_spmm_operands(op, csr, x, alpha, self_scale);
  const Tensor* w = spmm_weights(op, csr, edge_values, x);
  const int64_t F = x.dim(1);
  // Not zeroed: the kernel assigns every row, empty ones included, and spmm is memory-bound.
  Tensor y = Tensor::empty({csr.rows, F}, x.dtype(), x.device());
  if (csr.rows == 0 || F == 0) return y;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    const T* vals = w ? ptr<T>(*w) : nullptr;
    FATHOM_LAUNCH(op, x.device(),
                  spmm<T>(csr.rows, F, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col), vals,
                          ptr<T>(x), ptr<T>(y), T(alpha), T(self_scale)));
  });
  return y;
}

Tensor spmm_self_tensor(const Csr& csr, const Tensor& x, double alpha, double self_base,
                        const Tensor& s, const char* op) {
  if (!scalar_on_device(s) || !s.defined() || s.dtype() != x.dtype()) {
    const double self_scale = self_base + scalar_value(s, op, "s");
    FATHOM_CHECK(std::isfinite(self_scale), ErrorKind::Range, op,
                 "the self term " + std::to_string(self_scale) + " is not finite");
    return spmm(csr, Tensor(), x, alpha, self_scale, op);
  }
  FATHOM_CHECK(s.numel() == 1, ErrorKind::Shape, op,
               "s must be a one-element float tensor, got " + s.describe());
  require_same_device(op, "x", x, "s", s);
  require_spmm_operands(op, csr, x, alpha, 0.0);
  require_finite(op, "selfBase", self_base);
  FATHOM_CHECK(csr.rows == csr.cols, ErrorKind::Shape, op,
               "a self term read from a tensor needs a square operator, got " + csr_brief(csr));
  const Tensor* w = spmm_weights(op, csr, Tensor(), x);
  const int64_t F = x.dim(1);
  Tensor y = Tensor::empty({csr.rows, F}, x.dtype(), x.device());
  if (csr.rows == 0 || F == 0) return y;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    const T* vals = w ? ptr<T>(*w) : nullptr;
    FATHOM_LAUNCH(op, x.device(),
                  spmm_self_dev<T>(csr.rows, F, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col),
                                   vals, ptr<T>(x), ptr<T>(y), T(alpha), self_base, ptr<T>(s)));
  });
  return y;
}

Tensor propagate_bias_act(const Csr& csr, const Tensor& x, const Tensor& bias, double alpha,
                          double self_scale, bool relu) {
  const char* op = "propagateBiasAct";
  require_spmm_operands(op, csr, x, alpha, self_scale);
  const int64_t F = x.dim(1);
  if (bias.defined()) {
    require_same_device(op, "x", x, "bias", bias);
    require_same_dtype(op, "x", x, "bias", bias);
    FATHOM_CHECK(bias.ndim() == 1 && bias.dim(0) == F, ErrorKind::Shape, op,
                 arg("bias") + " is " + brief(bias) + " but x is " + brief(x) + "; bias must be [" +
                     std::to_string(F) + "]");
  }
  const Tensor* w = spmm_weights(op, csr, Tensor(), x);
  Tensor y = Tensor::empty({csr.rows, F}, x.dtype(), x.device());
  if (csr.rows == 0 || F == 0) return y;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    const T* vals = w ? ptr<T>(*w) : nullptr;
    const T* b = bias.defined() ? ptr<T>(bias) : nullptr;
    FATHOM_LAUNCH(op, x.device(),
                  spmm_bias_act<T>(csr.rows, F, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col),
                                   vals, ptr<T>(x), ptr<T>(y), T(alpha), T(self_scale), b, relu));
  });
  return y;
}

PropagateBiasActGrads propagate_bias_act_backward(const Csr& csr_t, const Tensor& grad,
                                                  const Tensor& y, double alpha, double self_scale,
                                                  bool relu, bool want_x, bool want_bias) {
  const char* op = "propagateBiasActBackward";
  require_csr(op, "opT", csr_t);
  require_floating(op, "grad", grad);
  require_ndim(op, "grad", grad, 2);
  require_csr_device(op, csr_t, "grad", grad);
  FATHOM_CHECK(grad.dim(0) == csr_t.cols, ErrorKind::Shape, op,
               arg("grad") + " is " + brief(grad) + " but the transposed operator " +
                   csr_brief(csr_t) + " needs " + std::to_string(csr_t.cols) + " rows");
  if (relu) {
    require_floating(op, "y", y);
    require_same_device(op, "grad", grad, "y", y);
    require_same_dtype(op, "grad", grad, "y", y);
    FATHOM_CHECK(y.shape() == grad.shape(), ErrorKind::Shape, op,
                 "shapes differ: grad is " + brief(grad) + ", y is " + brief(y));
  }
  PropagateBiasActGrads out;
  // g' is the only intermediate, freed on return; the ReLU's mask needs nothing but y.
  const Tensor g = relu ? relu_backward(grad, y) : grad;
  if (want_bias) out.dbias = sum_rows(g);
  if (want_x) out.dx = spmm(csr_t, Tensor(), g, alpha, self_scale, op);
  return out;
}

Tensor sddmm(const Csr& csr, const Tensor& a, const Tensor& b) {
  const char* op = "sddmm";
  require_csr(op, "op", csr);
  require_floating(op, "a", a);
  require_floating(op, "b", b);
  require_ndim(op, "a", a, 2);
  require_ndim(op, "b", b, 2);
  require_csr_device(op, csr, "a", a);
  require_same_device(op, "a", a, "b", b);
  require_same_dtype(op, "a", a, "b", b);
  FATHOM_CHECK(a.dim(0) == csr.rows, ErrorKind::Shape, op,
               arg("a") + " is " + brief(a) + " but the operator " + csr_brief(csr) + " needs " +
                   std::to_string(csr.rows) + " rows");
  FATHOM_CHECK(b.dim(0) == csr.cols, ErrorKind::Shape, op,
               arg("b") + " is " + brief(b) + " but the operator " + csr_brief(csr) + " needs " +
                   std::to_string(csr.cols) + " rows");
  FATHOM_CHECK(a.dim(1) == b.dim(1), ErrorKind::Shape, op,
               "feature dimensions differ: a is " + brief(a) + ", b is " + brief(b));
  Tensor out = Tensor::empty({csr.nnz()}, a.dtype(), a.device());
  if (csr.nnz() == 0) return out;
  with_float(op, "a", a, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, a.device(),
                  sddmm<T>(csr.rows, a.dim(1), ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col),
                           ptr<T>(a), ptr<T>(b), ptr<T>(out)));
  });
  return out;
}

}  // namespace fathom::ops
