// Reductions: column sums, full sums (0-d results left on the device), row argmax.
#include <atomic>
#include <cmath>

#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

Tensor sum_rows(const Tensor& x) {
  const char* op = "sumRows";
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  // Zeroed so that zero rows sum to 0 without a launch.
  Tensor out = Tensor::zeros({x.dim(1)}, x.dtype(), x.device());
  if (x.numel() == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(), sum_rows<T>(x.dim(0), x.dim(1), ptr<T>(x), ptr<T>(out)));
  });
  return out;
}

namespace {

// The 0-d sum, computed where x lives so a training loop never waits on a copy.
Tensor sum_of(const char* op, const Tensor& x) {
  require_floating(op, "x", x);
  Tensor out = Tensor::zeros({}, x.dtype(), x.device());
  if (x.numel() == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(), sum<T>(x.numel(), ptr<T>(x), ptr<T>(out)));
  });
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) { return sum_of("sum", x); }

Tensor mean(const Tensor& x) {
  const char* op = "mean";
  Tensor s = sum_of(op, x);
  // The mean of nothing is NaN, as in PyTorch and NumPy.
  const double inv = x.numel() ? 1.0 / static_cast<double>(x.numel()) : std::nan("");
  with_float(op, "x", s, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, s.device(), axpby<T>(1, T(inv), ptr<T>(s), T(0), nullptr, ptr<T>(s)));
  });
  return s;
}

Tensor argmax_rows(const Tensor& x) {
  const char* op = "argmaxRows";
  require_floating(op, "x", x);
  require_ndim(op, "x", x, 2);
  FATHOM_CHECK(x.dim(0) == 0 || x.dim(1) > 0, ErrorKind::Shape, op,
               arg("x") + " is " + brief(x) + "; rows with no columns have no argmax");
  Tensor out = Tensor::empty({x.dim(0)}, DType::I32, x.device());
  if (x.dim(0) == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(), argmax_rows<T>(x.dim(0), x.dim(1), ptr<T>(x), ptr<int32_t>(out)));
  });
  return out;
}

namespace {
std::atomic<bool> g_force_device_scalars{false};
}  // namespace

bool scalar_on_device(const Tensor& s) {
  return s.device() == Device::CUDA || g_force_device_scalars.load(std::memory_order_relaxed);
}

void force_device_scalars(bool on) { g_force_device_scalars.store(on); }

double scalar_value(const Tensor& s, const char* op, const char* arg) {
  FATHOM_CHECK(s.defined() && s.numel() == 1 && is_floating(s.dtype()), ErrorKind::Shape, op,
               std::string(arg) + " must be a one-element float tensor, got " +
                   (s.defined() ? s.describe() : std::string("undefined")));
  if (s.dtype() == DType::F32) {
    float f = 0;
    s.copy_to_host(&f);
    return f;
  }
  double d = 0;
  s.copy_to_host(&d);
  return d;
}

namespace {

void require_scalar_tensor(const char* op, const char* arg, const Tensor& s) {
  FATHOM_CHECK(s.defined() && s.numel() == 1 && is_floating(s.dtype()), ErrorKind::Shape, op,
               std::string(arg) + " must be a one-element float tensor, got " +
                   (s.defined() ? s.describe() : std::string("undefined")));
}

}  // namespace

// The device forms skip the host forms' finiteness checks of the coefficient (they would need
// its value on the host): a non-finite s shows as non-finite values in the result.
Tensor expand_scalar(const Tensor& s, const Shape& shape, double factor) {
  const char* op = "expandScalar";
  if (!scalar_on_device(s))
    return fill(shape, s.dtype(), s.device(), factor * scalar_value(s, op, "s"));
  require_scalar_tensor(op, "s", s);
  for (int64_t d : shape) {
    FATHOM_CHECK(d >= 0, ErrorKind::Range, op,
                 "argument shape " + shape_str(shape) + " has a negative dimension");
  }
  Tensor out = Tensor::empty(shape, s.dtype(), s.device());
  if (out.numel() == 0) return out;
  with_float(op, "s", s, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, s.device(), fill_scaled<T>(out.numel(), ptr<T>(s), factor, ptr<T>(out)));
  });
  return out;
}

Tensor scale_by(const Tensor& x, const Tensor& s, double factor) {
  const char* op = "scaleBy";
  if (!scalar_on_device(s) || !s.defined() || s.dtype() != x.dtype()) {
    return scale(x, factor * scalar_value(s, op, "s"));
  }
  require_scalar_tensor(op, "s", s);
  require_floating(op, "x", x);
  require_same_device(op, "x", x, "s", s);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (x.numel() == 0) return out;
  with_float(op, "x", x, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, x.device(),
                  scale_by_scalar<T>(x.numel(), ptr<T>(s), factor, ptr<T>(x), ptr<T>(out)));
  });
  return out;
}

}  // namespace fathom::ops
