// Layer normalization: argument checks and dispatch (kernels in cpu/layer_norm.cc and
// cuda/layer_norm.cu).
#include "layer_norm.h"

#include <cmath>
#include <string>

#include "dispatch.h"

namespace fathom::ops {
using namespace detail;

namespace {

// x: a 2-D float tensor with at least one column (the features a row is normalized over).
void require_input(const char* op, const Tensor& x) {
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  FATHOM_CHECK(x.dim(1) >= 1, ErrorKind::Shape, op,
               arg("x") + " is " + brief(x) + "; it needs at least one column to normalize over");
}

// weight / bias: [F] with x's dtype and device, or undefined (no affine term).
void require_affine(const char* op, const char* name, const Tensor& t, const Tensor& x) {
  if (!t.defined()) return;
  require_same_device(op, "x", x, name, t);
  require_same_dtype(op, "x", x, name, t);
  FATHOM_CHECK(t.ndim() == 1 && t.dim(0) == x.dim(1), ErrorKind::Shape, op,
               arg(name) + " is " + brief(t) + " but x is " + brief(x) + "; it must be [" +
                   std::to_string(x.dim(1)) + "] (one value per column of x)");
}

template <typename T>
T* optional_ptr(const Tensor& t) {
  return t.defined() ? ptr<T>(t) : nullptr;
}

}  // namespace

LayerNormResult layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
  const char* op = "layerNorm";
  require_input(op, x);
  require_affine(op, "weight", weight, x);
  require_affine(op, "bias", bias, x);
  FATHOM_CHECK(
      std::isfinite(eps) && eps > 0.0, ErrorKind::Range, op,
      "argument eps = " + num(eps) + " must be a finite number > 0 (x is " + brief(x) + ")");
  const int64_t n = x.dim(0), f = x.dim(1);
  LayerNormResult r{Tensor::empty(x.shape(), x.dtype(), x.device()),
                    Tensor::empty({2, n}, DType::F64, x.device())};
  if (n == 0) return r;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    double* stats = ptr<double>(r.stats);
    FATHOM_LAUNCH(op, x.device(),
                  layer_norm<T>(n, f, ptr<T>(x), optional_ptr<T>(weight), optional_ptr<T>(bias),
                                eps, ptr<T>(r.out), stats, stats + n));
  });
  return r;
}

LayerNormGrads layer_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& weight,
                                   const Tensor& stats, bool want_x, bool want_weight,
                                   bool want_bias) {
  const char* op = "layerNormBackward";
  require_input(op, x);
  require_like(op, "x", x, "grad", grad);
  require_affine(op, "weight", weight, x);
  FATHOM_CHECK(
      !want_weight || weight.defined(), ErrorKind::Type, op,
      "the gradient of weight was asked for but argument weight is null (x is " + brief(x) + ")");
  const int64_t n = x.dim(0), f = x.dim(1);
  require_dtype(op, "stats", stats, DType::F64);
  require_same_device(op, "x", x, "stats", stats);
  FATHOM_CHECK(stats.ndim() == 2 && stats.dim(0) == 2 && stats.dim(1) == n, ErrorKind::Shape, op,
               arg("stats") + " is " + brief(stats) + " but x is " + brief(x) +
                   "; it must be [2, " + std::to_string(n) +
                   "] (the forward's row means and rstd)");
  LayerNormGrads g;
  if (want_x) g.dx = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (want_weight) g.dweight = Tensor::empty({f}, x.dtype(), x.device());
  if (want_bias) g.dbias = Tensor::empty({f}, x.dtype(), x.device());
  if (!want_x && !want_weight && !want_bias) return g;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    const double* s = ptr<double>(stats);
    FATHOM_LAUNCH(op, x.device(),
                  layer_norm_backward<T>(n, f, ptr<T>(x), optional_ptr<T>(weight), s, s + n,
                                         ptr<T>(grad), optional_ptr<T>(g.dx),
                                         optional_ptr<T>(g.dweight), optional_ptr<T>(g.dbias)));
  });
  return g;
}

}  // namespace fathom::ops
