#include "spectral.h"

#include <cmath>
#include <limits>

#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
namespace {

using detail::brief;

void check(const char* op, const Tensor& w, const Tensor& u, const Tensor& v) {
  detail::require_floating(op, "w", w);
  detail::require_ndim(op, "w", w, 2);
  detail::require_dtype(op, "u", u, DType::F64);
  detail::require_dtype(op, "v", v, DType::F64);
  detail::require_same_device(op, "w", w, "u", u);
  detail::require_same_device(op, "w", w, "v", v);
  const Shape want_u{w.dim(0), 1};
  const Shape want_v{w.dim(1), 1};
  FATHOM_CHECK(u.shape() == want_u && v.shape() == want_v, ErrorKind::Shape, op,
               "u is " + brief(u) + " and v " + brief(v) + ", but w is " + brief(w) + " (need u [" +
                   std::to_string(w.dim(0)) + ", 1], v [" + std::to_string(w.dim(1)) + ", 1])");
}

Tensor as_f64(const Tensor& t) { return t.dtype() == DType::F64 ? t : cast(t, DType::F64); }

using detail::ptr;

// x/‖x‖ into `out` (x itself when ‖x‖ = 0, which is then zero). x is f64 (u and v are).
void normalize_into(const Tensor& x, Tensor& out) {
  const Tensor sumsq = sum(mul(x, x));
  if (!scalar_on_device(sumsq)) {
    const double n = std::sqrt(scalar_value(sumsq, "powerIteration", "norm"));
    out.copy_from(n > 0 ? scale(x, 1.0 / n) : x);
    return;
  }
  FATHOM_LAUNCH(
      "powerIteration", x.device(),
      normalize_by_norm<double>(x.numel(), ptr<double>(sumsq), ptr<double>(x), ptr<double>(out)));
}

// σ = uᵀWv as a 0-d f64 tensor on W's device.
Tensor sigma_tensor(const Tensor& w64, const Tensor& u, const Tensor& v) {
  return sum(mul(u, matmul(w64, v, false, false)));
}

double sigma_of(const char* op, const Tensor& w64, const Tensor& u, const Tensor& v) {
  const double sigma = scalar_value(sigma_tensor(w64, u, v), op, "sigma");
  FATHOM_CHECK(std::abs(sigma) > 1e-12, ErrorKind::Numeric, op,
               "σ = uᵀWv = " + detail::num(sigma) + " for w " + brief(w64) +
                   "; the weight is (numerically) zero, so it cannot be normalized");
  return sigma;
}

}  // namespace

void power_iteration_(const Tensor& w, Tensor& u, Tensor& v) {
  check("powerIteration", w, u, v);
  const Tensor w64 = as_f64(w);
  normalize_into(matmul(w64, v, false, false), u);
  normalize_into(matmul(w64, u, true, false), v);
}

Tensor spectral_normalize(const Tensor& w, const Tensor& u, const Tensor& v, double c) {
  const char* op = "spectralNormalize";
  check(op, w, u, v);
  detail::require_finite(op, "c", c);
  const Tensor w64 = as_f64(w);
  if (!scalar_on_device(w)) return scale(w, c / sigma_of(op, w64, u, v));
  // The device form: σ stays on the device; a (numerically) zero σ gives NaN, not an error.
  const Tensor sigma = sigma_tensor(w64, u, v);
  Tensor out = Tensor::empty(w.shape(), w.dtype(), w.device());
  if (w.numel() == 0) return out;
  detail::with_float(op, "w", w, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, w.device(),
                  scale_by_quotient<T>(w.numel(), c, ptr<double>(sigma), ptr<T>(w), ptr<T>(out)));
  });
  return out;
}

Tensor spectral_normalize_backward(const Tensor& grad, const Tensor& w, const Tensor& u,
                                   const Tensor& v, double c) {
  const char* op = "spectralNormalizeBackward";
  check(op, w, u, v);
  detail::require_like(op, "w", w, "grad", grad);
  const Tensor w64 = as_f64(w);
  if (scalar_on_device(w)) {
    // The device form: σ and ⟨G, W⟩ stay on the device (NaN where the host form raises).
    const Tensor sigma = sigma_tensor(w64, u, v);
    const Tensor dot = sum(mul(as_f64(grad), w64));
    const Tensor uv64 = matmul(u, v, false, true);
    const Tensor uv = w.dtype() == DType::F64 ? uv64 : cast(uv64, w.dtype());
    Tensor out = Tensor::empty(w.shape(), w.dtype(), w.device());
    if (w.numel() == 0) return out;
    detail::with_float(op, "w", w, [&](auto tag) {
      using T = decltype(tag);
      FATHOM_LAUNCH(op, w.device(),
                    spectral_backward_combine<T>(w.numel(), c, ptr<double>(sigma), ptr<double>(dot),
                                                 ptr<T>(grad), ptr<T>(uv), ptr<T>(out)));
    });
    return out;
  }
  const double sigma = sigma_of(op, w64, u, v);
  const double k = c / sigma;
  const double dot = scalar_value(sum(mul(as_f64(grad), w64)), op, "dot") / sigma;
  if (!std::isfinite(k * dot)) {
    return fill(w.shape(), w.dtype(), w.device(), std::numeric_limits<double>::quiet_NaN());
  }
  const Tensor uv = matmul(u, v, false, true);
  return axpby(k, grad, -k * dot, w.dtype() == DType::F64 ? uv : cast(uv, w.dtype()));
}

}  // namespace fathom::ops
