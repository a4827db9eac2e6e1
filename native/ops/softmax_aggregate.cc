// The softmax and power-mean aggregations: argument checks, output allocation and dispatch.
#include "softmax_aggregate.h"

#include <cmath>
#include <string>

#include "dispatch.h"

namespace fathom::ops {
using namespace detail;

namespace {

// The checks shared by forward and backward. `sources` is the number of rows x must have (the
// forward CSR's columns), `name` the CSR argument, `scalar` the name of t (the inverse
// temperature, or the power p). Returns F.
int64_t check_inputs(const char* op, const char* name, const Csr& csr, int64_t sources,
                     const Tensor& x, const Tensor& e, const Tensor& t, double eps,
                     const char* scalar = "t") {
  require_csr(op, name, csr);
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  FATHOM_CHECK(csr.device() == x.device(), ErrorKind::Device, op,
               arg(name) + " is on " + device_name(csr.device()) + " but x is on " +
                   device_name(x.device()));
  FATHOM_CHECK(x.dim(0) == sources, ErrorKind::Shape, op,
               arg("x") + " is " + brief(x) + " but " + arg(name) + " is " + csr_brief(csr) +
                   "; x needs one row per source node (" + std::to_string(sources) + ")");
  const int64_t F = x.dim(1);
  require_defined(op, scalar, t);
  require_same_device(op, "x", x, scalar, t);
  require_same_dtype(op, "x", x, scalar, t);
  FATHOM_CHECK(t.ndim() == 1 && t.dim(0) == 1, ErrorKind::Shape, op,
               arg(scalar) + " is " + brief(t) + " but must be [1] (one " +
                   (scalar[0] == 't' ? "inverse temperature" : "power") + ")");
  FATHOM_CHECK(std::isfinite(eps), ErrorKind::Range, op,
               "argument eps must be finite, got " + num(eps));
  if (!e.defined()) return F;
  require_same_device(op, "x", x, "edgeAttr", e);
  require_same_dtype(op, "x", x, "edgeAttr", e);
  const int64_t E = csr.nnz();
  FATHOM_CHECK(e.ndim() == 2 && e.dim(0) == E && e.dim(1) == F, ErrorKind::Shape, op,
               arg("edgeAttr") + " is " + brief(e) + " but x is " + brief(x) + " and " + arg(name) +
                   " is " + csr_brief(csr) + "; edgeAttr must be [" + std::to_string(E) + ", " +
                   std::to_string(F) + "] (one row per edge, by edge id)");
  FATHOM_CHECK(csr.perm.defined() && csr.perm.dtype() == DType::I32 && csr.perm.numel() == E &&
                   csr.perm.device() == csr.device(),
               ErrorKind::Type, op,
               arg(name) + " has no i32 perm of nnz entries to index e by (build it with " +
                   "csr_operator)");
  if (csr.device() == Device::CPU) {
    const int32_t* perm = ptr<int32_t>(csr.perm);
    for (int64_t k = 0; k < E; ++k) {
      FATHOM_CHECK(perm[k] >= -1 && perm[k] < E, ErrorKind::Range, op,
                   arg(name) + " has perm[" + std::to_string(k) + "] = " + std::to_string(perm[k]) +
                       " outside [-1, " + std::to_string(E) + "), the rows of edgeAttr " +
                       brief(e));
    }
  }
  return F;
}

// The backward's checks of the forward's out [N, F] and stats [2, N, F] and of grad.
void check_saved(const char* op, const Csr& csr_t, const Tensor& x, const Tensor& out,
                 const Tensor& stats, const Tensor& grad, int64_t N, int64_t F) {
  const Shape nf{N, F};
  require_defined(op, "out", out);
  require_same_device(op, "x", x, "out", out);
  require_same_dtype(op, "x", x, "out", out);
  FATHOM_CHECK(out.shape() == nf, ErrorKind::Shape, op,
               arg("out") + " is " + brief(out) + " but must be [" + std::to_string(N) + ", " +
                   std::to_string(F) + "] (the forward's output over " + csr_brief(csr_t) +
                   " transposed)");
  require_like(op, "out", out, "grad", grad);
  require_defined(op, "stats", stats);
  require_same_device(op, "x", x, "stats", stats);
  require_same_dtype(op, "x", x, "stats", stats);
  FATHOM_CHECK(stats.shape() == Shape({2, N, F}), ErrorKind::Shape, op,
               arg("stats") + " is " + brief(stats) + " but must be [2, " + std::to_string(N) +
                   ", " + std::to_string(F) + "]");
}

const int32_t* perm_or_null(const Csr& csr, const Tensor& e) {
  return e.defined() ? ptr<int32_t>(csr.perm) : nullptr;
}

}  // namespace

SoftmaxAggregateResult softmax_aggregate(const Csr& csr, const Tensor& x, const Tensor& e,
                                         const Tensor& t, double eps) {
  const char* op = "softmaxAggregate";
  const int64_t F = check_inputs(op, "op", csr, csr.cols, x, e, t, eps);
  const int64_t N = csr.rows;
  SoftmaxAggregateResult r{Tensor::zeros({N, F}, x.dtype(), x.device()),
                           Tensor::zeros({2, N, F}, x.dtype(), x.device())};
  if (N == 0 || F == 0) return r;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    const T* ep = e.defined() ? ptr<T>(e) : nullptr;
    FATHOM_LAUNCH(op, x.device(),
                  softmax_aggregate_forward<T>(
                      N, F, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col), perm_or_null(csr, e),
                      ptr<T>(x), ep, ptr<T>(t), T(eps), ptr<T>(r.out), ptr<T>(r.stats)));
  });
  return r;
}

SoftmaxAggregateGrads softmax_aggregate_backward(const Csr& csr_t, const Tensor& x, const Tensor& e,
                                                 const Tensor& t, double eps, const Tensor& out,
                                                 const Tensor& stats, const Tensor& grad) {
  const char* op = "softmaxAggregateBackward";
  // The transpose's rows are the sources: x has one row per row of csr_t.
  const int64_t F = check_inputs(op, "op (transposed)", csr_t, csr_t.rows, x, e, t, eps);
  const int64_t N = csr_t.cols, S = csr_t.rows;
  check_saved(op, csr_t, x, out, stats, grad, N, F);
  SoftmaxAggregateGrads g{Tensor::zeros({S, F}, x.dtype(), x.device()),
                          e.defined() ? Tensor::zeros(e.shape(), e.dtype(), e.device()) : Tensor(),
                          Tensor::zeros({1}, x.dtype(), x.device())};
  if (S == 0 || F == 0) return g;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    Tensor scratch =
        Tensor::empty({cpu::softmax_aggregate_scratch_size(S, F)}, x.dtype(), x.device());
    const T* ep = e.defined() ? ptr<T>(e) : nullptr;
    T* dep = e.defined() ? ptr<T>(g.de) : nullptr;
    FATHOM_LAUNCH(
        op, x.device(),
        softmax_aggregate_backward<T>(N, S, F, ptr<int32_t>(csr_t.rowptr), ptr<int32_t>(csr_t.col),
                                      perm_or_null(csr_t, e), ptr<T>(x), ep, ptr<T>(t), T(eps),
                                      ptr<T>(out), ptr<T>(stats), ptr<T>(grad), ptr<T>(g.dx), dep,
                                      ptr<T>(g.dt), ptr<T>(scratch)));
  });
  return g;
}

SoftmaxAggregateResult power_aggregate(const Csr& csr, const Tensor& x, const Tensor& e,
                                       const Tensor& p, double eps) {
  const char* op = "powerAggregate";
  const int64_t F = check_inputs(op, "op", csr, csr.cols, x, e, p, eps, "p");
  // Messages must be positive: the power and its gradient go through log m.
  FATHOM_CHECK(eps > 0, ErrorKind::Range, op, "argument eps must be > 0, got " + num(eps));
  const int64_t N = csr.rows;
  SoftmaxAggregateResult r{Tensor::zeros({N, F}, x.dtype(), x.device()),
                           Tensor::zeros({2, N, F}, x.dtype(), x.device())};
  if (N == 0 || F == 0) return r;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    const T* ep = e.defined() ? ptr<T>(e) : nullptr;
    FATHOM_LAUNCH(op, x.device(),
                  power_aggregate_forward<T>(N, F, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col),
                                             perm_or_null(csr, e), ptr<T>(x), ep, ptr<T>(p), T(eps),
                                             ptr<T>(r.out), ptr<T>(r.stats)));
  });
  return r;
}

SoftmaxAggregateGrads power_aggregate_backward(const Csr& csr_t, const Tensor& x, const Tensor& e,
                                               const Tensor& p, double eps, const Tensor& out,
                                               const Tensor& stats, const Tensor& grad) {
  const char* op = "powerAggregateBackward";
  const int64_t F = check_inputs(op, "op (transposed)", csr_t, csr_t.rows, x, e, p, eps, "p");
  FATHOM_CHECK(eps > 0, ErrorKind::Range, op, "argument eps must be > 0, got " + num(eps));
  const int64_t N = csr_t.cols, S = csr_t.rows;
  check_saved(op, csr_t, x, out, stats, grad, N, F);
  SoftmaxAggregateGrads g{Tensor::zeros({S, F}, x.dtype(), x.device()),
                          e.defined() ? Tensor::zeros(e.shape(), e.dtype(), e.device()) : Tensor(),
                          Tensor::zeros({1}, x.dtype(), x.device())};
  if (S == 0 || F == 0) return g;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    Tensor scratch =
        Tensor::empty({cpu::power_aggregate_scratch_size(N, S, F)}, x.dtype(), x.device());
    const T* ep = e.defined() ? ptr<T>(e) : nullptr;
    T* dep = e.defined() ? ptr<T>(g.de) : nullptr;
    FATHOM_LAUNCH(
        op, x.device(),
        power_aggregate_backward<T>(N, S, F, ptr<int32_t>(csr_t.rowptr), ptr<int32_t>(csr_t.col),
                                    perm_or_null(csr_t, e), ptr<T>(x), ep, ptr<T>(p), T(eps),
                                    ptr<T>(out), ptr<T>(stats), ptr<T>(grad), ptr<T>(g.dx), dep,
                                    ptr<T>(g.dt), ptr<T>(scratch)));
  });
  return g;
}

}  // namespace fathom::ops
