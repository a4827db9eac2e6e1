// The device forms of the ops whose scalar is a one-element tensor (ops::scalar_on_device): run on
// the CPU through their CPU twins, they must give the host forms' results bit for bit, so that a
// CUDA step, which always takes the device forms, computes what the host forms would.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.h"
#include "graph/csr.h"
#include "kernel_test_util.h"
#include "ops/ops.h"
#include "ops/spectral.h"

namespace {

using fathom::Csr;
using fathom::Device;
using fathom::DType;
using fathom::Tensor;
namespace ops = fathom::ops;

Tensor random(const fathom::Shape& shape, uint64_t seed, DType dtype) {
  const std::vector<double> v =
      fathom::test::random_vector<double>(fathom::shape_numel(shape), seed);
  Tensor t = Tensor::empty(shape, dtype, Device::CPU);
  for (size_t i = 0; i < v.size(); ++i) {
    if (dtype == DType::F32) {
      t.data<float>()[i] = static_cast<float>(v[i]);
    } else {
      t.data<double>()[i] = v[i];
    }
  }
  return t;
}

Tensor scalar(double v, DType dtype) {
  Tensor t = Tensor::empty({}, dtype, Device::CPU);
  if (dtype == DType::F32) {
    t.data<float>()[0] = static_cast<float>(v);
  } else {
    t.data<double>()[0] = v;
  }
  return t;
}

// Same dtype, shape and bytes (NaNs of the same payload included).
bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const size_t bytes = static_cast<size_t>(a.numel()) * fathom::dtype_size(a.dtype());
  return std::memcmp(a.raw(), b.raw(), bytes) == 0;
}

// Runs f once with the host forms and once with the device forms.
template <typename F>
void both(F f, Tensor& host, Tensor& device) {
  ops::force_device_scalars(false);
  host = f();
  ops::force_device_scalars(true);
  try {
    device = f();
  } catch (...) {
    ops::force_device_scalars(false);
    throw;
  }
  ops::force_device_scalars(false);
}

}  // namespace

TEST(device_scalar_forms_equal_the_host_forms_bit_for_bit) {
  for (DType dt : {DType::F32, DType::F64}) {
    Tensor h, d;
    const Tensor s = scalar(-0.37, dt);
    const Tensor x = random({7, 5}, 11, dt);

    both([&] { return ops::expand_scalar(s, {4, 3}, 1.0 / 12.0); }, h, d);
    CHECK(same_bits(h, d));
    both([&] { return ops::scale_by(x, s, 0.3); }, h, d);
    CHECK(same_bits(h, d));

    const Tensor logp = ops::log_softmax(random({6, 4}, 12, dt));
    const int32_t lab[] = {0, 3, 1, 2, 2, 1};
    const uint8_t keep[] = {1, 0, 1, 1, 0, 1};
    const Tensor labels = Tensor::from_host(lab, {6}, DType::I32);
    const Tensor mask = Tensor::from_host(keep, {6}, DType::U8);
    both([&] { return ops::nll_loss_backward(scalar(1.7, dt), logp, labels, mask); }, h, d);
    CHECK(same_bits(h, d));

    const int32_t ei[] = {0, 2, 1, 3, 0, 0, 1, 1, 0, 2, 2, 1};
    const Csr adj =
        fathom::csr_from_edge_index(Tensor::from_host(ei, {2, 6}, DType::I32), 5, "Graph");
    const Csr gcn = fathom::csr_operator(adj, "gcn", dt);
    const Tensor feat = random({5, 3}, 13, dt);
    const Tensor eps = scalar(0.125, dt);
    both([&] { return ops::spmm_self_tensor(gcn, feat, 0.9, 1.0, eps, "gin"); }, h, d);
    CHECK(same_bits(h, d));
    // A zero self term is skipped in both forms (a non-finite row cannot leak into the result).
    both([&] { return ops::spmm_self_tensor(adj, feat, 1.0, 1.0, scalar(-1.0, dt), "gin"); }, h, d);
    CHECK(same_bits(h, d));
  }
}

TEST(device_scalar_spectral_forms_equal_the_host_forms_bit_for_bit) {
  for (DType dt : {DType::F32, DType::F64}) {
    const Tensor w = random({6, 4}, 21, dt);
    const Tensor grad = random({6, 4}, 22, dt);
    Tensor uh = random({6, 1}, 23, DType::F64), vh = random({4, 1}, 24, DType::F64);
    Tensor ud = uh.clone(), vd = vh.clone();
    for (int it = 0; it < 3; ++it) {
      ops::force_device_scalars(false);
      ops::power_iteration_(w, uh, vh);
      ops::force_device_scalars(true);
      ops::power_iteration_(w, ud, vd);
      ops::force_device_scalars(false);
      CHECK(same_bits(uh, ud));
      CHECK(same_bits(vh, vd));
    }
    Tensor h, d;
    both([&] { return ops::spectral_normalize(w, uh, vh, 0.9); }, h, d);
    CHECK(same_bits(h, d));
    both([&] { return ops::spectral_normalize_backward(grad, w, uh, vh, 0.9); }, h, d);
    CHECK(same_bits(h, d));
    // A zero vector stays zero in both forms.
    Tensor z = Tensor::zeros({4, 1}, DType::F64, Device::CPU);
    Tensor u0h = Tensor::zeros({6, 1}, DType::F64, Device::CPU), v0h = z.clone();
    Tensor u0d = u0h.clone(), v0d = z.clone();
    const Tensor zw = Tensor::zeros({6, 4}, dt, Device::CPU);
    ops::power_iteration_(zw, u0h, v0h);
    ops::force_device_scalars(true);
    ops::power_iteration_(zw, u0d, v0d);
    // Where the host form raises NUMERIC (σ = 0), the device form gives NaN.
    const Tensor nan_w = ops::spectral_normalize(zw, u0d, v0d, 1.0);
    ops::force_device_scalars(false);
    CHECK(same_bits(u0h, u0d));
    CHECK(same_bits(v0h, v0d));
    CHECK(std::isnan(dt == DType::F32 ? double(nan_w.data<float>()[0]) : nan_w.data<double>()[0]));
  }
}
