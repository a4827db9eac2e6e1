// The tensor-level ops: results against naive double references, and every validation error
// (kind, op name, argument name) before a kernel runs.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "graph/csr.h"
#include "kernel_test_util.h"
#include "ops/ops.h"

namespace {

using fathom::Csr;
using fathom::Device;
using fathom::DType;
using fathom::ErrorKind;
using fathom::Tensor;
namespace ops = fathom::ops;

// A tensor of `dtype` holding `v` (converted from double).
Tensor make(const std::vector<double>& v, const fathom::Shape& shape, DType dtype = DType::F64) {
  Tensor t = Tensor::empty(shape, dtype, Device::CPU);
  for (size_t i = 0; i < v.size(); ++i) {
    switch (dtype) {
      case DType::F32:
        t.data<float>()[i] = static_cast<float>(v[i]);
        break;
      case DType::F64:
        t.data<double>()[i] = v[i];
        break;
      case DType::I32:
        t.data<int32_t>()[i] = static_cast<int32_t>(v[i]);
        break;
      case DType::U8:
        t.data<uint8_t>()[i] = static_cast<uint8_t>(v[i]);
        break;
    }
  }
  return t;
}

Tensor random(const fathom::Shape& shape, uint64_t seed, DType dtype = DType::F64) {
  return make(fathom::test::random_vector<double>(fathom::shape_numel(shape), seed), shape, dtype);
}

std::vector<double> values(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) {
    switch (t.dtype()) {
      case DType::F32:
        v[i] = t.data<float>()[i];
        break;
      case DType::F64:
        v[i] = t.data<double>()[i];
        break;
      case DType::I32:
        v[i] = t.data<int32_t>()[i];
        break;
      case DType::U8:
        v[i] = t.data<uint8_t>()[i];
        break;
    }
  }
  return v;
}

double scalar(const Tensor& t) { return values(t).at(0); }

// 5 nodes, 6 edges (one duplicate, node 4 isolated), and its dense gcn operator.
Csr graph() {
  const int32_t ei[] = {0, 2, 1, 3, 0, 0, 1, 1, 0, 2, 2, 1};
  return fathom::csr_from_edge_index(Tensor::from_host(ei, {2, 6}, DType::I32), 5, "Graph");
}

std::vector<double> dense(const Csr& a, const std::vector<double>* edge_values = nullptr) {
  std::vector<double> d(static_cast<size_t>(a.rows * a.cols), 0.0);
  const std::vector<double> rowptr = values(a.rowptr), col = values(a.col);
  const std::vector<double> w = edge_values          ? *edge_values
                                : a.values.defined() ? values(a.values)
                                                     : std::vector<double>(col.size(), 1.0);
  for (int64_t r = 0; r < a.rows; ++r) {
    for (auto k = static_cast<size_t>(rowptr[r]); k < rowptr[r + 1]; ++k) {
      d[static_cast<size_t>(r * a.cols + static_cast<int64_t>(col[k]))] += w[k];
    }
  }
  return d;
}

// Row-major C = op(A) op(B) in double.
std::vector<double> ref_matmul(const std::vector<double>& a, const std::vector<double>& b,
                               int64_t M, int64_t N, int64_t K, bool ta, bool tb) {
  std::vector<double> c(static_cast<size_t>(M * N), 0.0);
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) {
        s += a[ta ? k * M + i : i * K + k] * b[tb ? j * K + k : k * N + j];
      }
      c[i * N + j] = s;
    }
  }
  return c;
}

}  // namespace

TEST(ops_matmul_matches_reference) {
  const int64_t M = 7, N = 5, K = 9;
  for (DType dt : {DType::F32, DType::F64}) {
    const double tol = dt == DType::F32 ? 1e-5 : 1e-13;
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      Tensor a = random(ta ? fathom::Shape{K, M} : fathom::Shape{M, K}, 1 + t, dt);
      Tensor b = random(tb ? fathom::Shape{N, K} : fathom::Shape{K, N}, 11 + t, dt);
      Tensor c = ops::matmul(a, b, ta, tb);
      CHECK(c.shape() == fathom::Shape({M, N}));
      CHECK(c.dtype() == dt);
      const std::vector<double> want = ref_matmul(values(a), values(b), M, N, K, ta, tb);
      CHECK_ALL_CLOSE(values(c).data(), want.data(), M * N, tol, tol);
    }
  }
  // K = 0 gives zeros.
  Tensor z = ops::matmul(random({3, 0}, 1), random({0, 2}, 2), false, false);
  const double zeros[6] = {};
  CHECK_ALL_CLOSE(values(z).data(), zeros, 6, 0.0, 0.0);
}

TEST(ops_spmm_matches_dense_operator) {
  Csr adj = graph();
  Tensor x = random({5, 3}, 3);
  const std::vector<double> xv = values(x);
  auto apply = [&](const std::vector<double>& p, double alpha, double self) {
    std::vector<double> y(15, 0.0);
    for (int i = 0; i < 5; ++i) {
      for (int f = 0; f < 3; ++f) {
        double s = 0;
        for (int j = 0; j < 5; ++j) s += p[i * 5 + j] * xv[j * 3 + f];
        y[i * 3 + f] = alpha * s + self * xv[i * 3 + f];
      }
    }
    return y;
  };
  // Unweighted adjacency, the gcn operator's own values, the residual form, edge values.
  std::vector<double> want = apply(dense(adj), 1.0, 0.0);
  CHECK_ALL_CLOSE(values(ops::spmm(adj, Tensor(), x, 1.0, 0.0)).data(), want.data(), 15, 1e-14,
                  1e-14);
  Csr p = fathom::csr_operator(adj, "gcn", DType::F64);
  want = apply(dense(p), 0.7, 0.3);
  CHECK_ALL_CLOSE(values(ops::spmm(p, Tensor(), x, 0.7, 0.3)).data(), want.data(), 15, 1e-14,
                  1e-14);
  const std::vector<double> ev = fathom::test::random_vector<double>(adj.nnz(), 5);
  want = apply(dense(adj, &ev), 2.0, 0.0);
  CHECK_ALL_CLOSE(values(ops::spmm(adj, make(ev, {adj.nnz()}), x, 2.0, 0.0)).data(), want.data(),
                  15, 1e-14, 1e-14);
  // f32 through an f32 operator.
  Csr p32 = fathom::csr_operator(adj, "mean", DType::F32);
  want = apply(dense(p32), 1.0, 0.0);
  Tensor y32 = ops::spmm(p32, Tensor(), random({5, 3}, 3, DType::F32), 1.0, 0.0);
  CHECK(y32.dtype() == DType::F32);
  CHECK_ALL_CLOSE(values(y32).data(), want.data(), 15, 1e-6, 1e-6);
}

TEST(ops_propagate_bias_act_equals_the_composition_and_its_backward) {
  Csr adj = graph();
  Csr p = fathom::csr_operator(adj, "mean", DType::F64);
  Csr pt = fathom::csr_transpose(p);
  Tensor x = random({5, 3}, 21), b = random({3}, 22), g = random({5, 3}, 23);
  Tensor y = ops::propagate_bias_act(p, x, b, 0.7, 0.3, true);
  Tensor want = ops::relu(ops::bias_add(ops::spmm(p, Tensor(), x, 0.7, 0.3), b));
  CHECK_ALL_CLOSE(values(y).data(), values(want).data(), 15, 0.0, 0.0);
  ops::PropagateBiasActGrads grads =
      ops::propagate_bias_act_backward(pt, g, y, 0.7, 0.3, true, true, true);
  Tensor gm = ops::relu_backward(g, y);
  CHECK_ALL_CLOSE(values(grads.dbias).data(), values(ops::sum_rows(gm)).data(), 3, 0.0, 0.0);
  CHECK_ALL_CLOSE(values(grads.dx).data(), values(ops::spmm(pt, Tensor(), gm, 0.7, 0.3)).data(), 15,
                  0.0, 0.0);
  // Without bias or activation it is spmm; gradients not asked for stay undefined.
  Tensor y0 = ops::propagate_bias_act(p, x, Tensor(), 1.0, 0.0, false);
  CHECK_ALL_CLOSE(values(y0).data(), values(ops::spmm(p, Tensor(), x, 1.0, 0.0)).data(), 15, 0.0,
                  0.0);
  ops::PropagateBiasActGrads only_x =
      ops::propagate_bias_act_backward(pt, g, Tensor(), 1.0, 0.0, false, true, false);
  CHECK(only_x.dx.defined() && !only_x.dbias.defined());
}

TEST(ops_sddmm_matches_reference) {
  Csr adj = graph();
  Tensor a = random({5, 4}, 7), b = random({5, 4}, 8);
  Tensor out = ops::sddmm(adj, a, b);
  CHECK(out.shape() == fathom::Shape({adj.nnz()}));
  const std::vector<double> av = values(a), bv = values(b), rowptr = values(adj.rowptr),
                            col = values(adj.col);
  std::vector<double> want;
  for (int r = 0; r < 5; ++r) {
    for (auto k = static_cast<size_t>(rowptr[r]); k < rowptr[r + 1]; ++k) {
      double s = 0;
      for (int f = 0; f < 4; ++f) s += av[r * 4 + f] * bv[static_cast<size_t>(col[k]) * 4 + f];
      want.push_back(s);
    }
  }
  CHECK_ALL_CLOSE(values(out).data(), want.data(), adj.nnz(), 1e-14, 1e-14);
}

TEST(ops_elementwise_match_reference) {
  Tensor x = random({4, 3}, 21), y = random({4, 3}, 22);
  const std::vector<double> xv = values(x), yv = values(y);
  std::vector<double> want(12);
  for (size_t i = 0; i < 12; ++i) want[i] = 2.0 * xv[i] - 0.5 * yv[i];
  CHECK_ALL_CLOSE(values(ops::axpby(2.0, x, -0.5, y)).data(), want.data(), 12, 1e-15, 0.0);
  for (size_t i = 0; i < 12; ++i) want[i] = xv[i] + yv[i];
  CHECK_ALL_CLOSE(values(ops::add(x, y)).data(), want.data(), 12, 1e-15, 0.0);
  for (size_t i = 0; i < 12; ++i) want[i] = xv[i] - yv[i];
  CHECK_ALL_CLOSE(values(ops::sub(x, y)).data(), want.data(), 12, 1e-15, 0.0);
  for (size_t i = 0; i < 12; ++i) want[i] = 3.0 * xv[i];
  CHECK_ALL_CLOSE(values(ops::scale(x, 3.0)).data(), want.data(), 12, 1e-15, 0.0);
  for (size_t i = 0; i < 12; ++i) want[i] = xv[i] * yv[i];
  CHECK_ALL_CLOSE(values(ops::mul(x, y)).data(), want.data(), 12, 1e-15, 0.0);

  Tensor acc = x.clone();
  ops::add_(acc, y, 0.25);
  for (size_t i = 0; i < 12; ++i) want[i] = xv[i] + 0.25 * yv[i];
  CHECK_ALL_CLOSE(values(acc).data(), want.data(), 12, 1e-15, 0.0);
  CHECK_ALL_CLOSE(values(x).data(), xv.data(), 12, 0.0, 0.0);  // the source is untouched

  Tensor bias = make({1, -2, 3}, {3});
  for (size_t i = 0; i < 12; ++i) want[i] = xv[i] + values(bias)[i % 3];
  CHECK_ALL_CLOSE(values(ops::bias_add(x, bias)).data(), want.data(), 12, 1e-15, 0.0);
}

TEST(ops_reductions_match_reference) {
  Tensor x = make({1, 5, -2, 7, 0.5, 3}, {2, 3});
  Tensor cols = ops::sum_rows(x);
  const double want_cols[] = {8, 5.5, 1};
  CHECK(cols.shape() == fathom::Shape({3}));
  CHECK_ALL_CLOSE(values(cols).data(), want_cols, 3, 1e-15, 0.0);
  Tensor s = ops::sum(x);
  CHECK(s.ndim() == 0);
  CHECK(s.dtype() == DType::F64);
  CHECK_NEAR(scalar(s), 14.5, 1e-15);
  Tensor m = ops::mean(make({1, 5, -2, 7, 0.5, 3}, {2, 3}, DType::F32));
  CHECK(m.ndim() == 0 && m.dtype() == DType::F32);
  CHECK_NEAR(scalar(m), 14.5 / 6, 1e-6);
  CHECK(std::isnan(scalar(ops::mean(Tensor::empty({0}, DType::F64, Device::CPU)))));
  CHECK_EQ(scalar(ops::sum(Tensor::empty({0, 4}, DType::F64, Device::CPU))), 0.0);
  Tensor am = ops::argmax_rows(x);
  CHECK(am.dtype() == DType::I32);
  CHECK(values(am) == std::vector<double>({1, 0}));
}

TEST(ops_relu_and_dropout) {
  Tensor x = make({-1, 2, 0, -3, 4, 0.5}, {6});
  CHECK(values(ops::relu(x)) == std::vector<double>({0, 2, 0, 0, 4, 0.5}));
  Tensor g = make({1, 1, 1, 1, 1, 1}, {6});
  CHECK(values(ops::relu_backward(g, ops::relu(x))) == std::vector<double>({0, 1, 0, 0, 1, 1}));

  Tensor big = random({1000}, 31);
  auto [out, mask] = ops::dropout(big, 0.25, 1234);
  CHECK(mask.dtype() == DType::U8 && mask.shape() == big.shape());
  const std::vector<double> bv = values(big), ov = values(out), mv = values(mask);
  double kept = 0, bad = 0;
  for (size_t i = 0; i < bv.size(); ++i) {
    kept += mv[i];
    if (std::fabs(ov[i] - bv[i] * mv[i] / 0.75) > 1e-15) ++bad;
  }
  CHECK_EQ(bad, 0.0);
  CHECK(kept > 650 && kept < 850);
  // The same seed gives the same mask; the backward scales by the same mask.
  CHECK(values(ops::dropout(big, 0.25, 1234).second) == mv);
  Tensor grad = random({1000}, 32);
  const std::vector<double> gv = values(grad), dv = values(ops::dropout_backward(grad, mask, 0.25));
  bad = 0;
  for (size_t i = 0; i < gv.size(); ++i) bad += std::fabs(dv[i] - gv[i] * mv[i] / 0.75) > 1e-15;
  CHECK_EQ(bad, 0.0);
  // p = 0 keeps everything.
  CHECK(values(ops::dropout(big, 0.0, 9).first) == bv);
}

// Sizes around the byte boundary (and 1000, past the threading threshold of some builds) with
// exact zeros, which must clear their bit: relu'(0) is 0, as relu_backward's y > 0 has it.
TEST(ops_relu_mask_packs_bits_and_matches_relu_backward) {
  for (DType dt : {DType::F32, DType::F64}) {
    for (int64_t n : {0, 1, 7, 8, 9, 31, 33, 1000, 70001}) {
      std::vector<double> v = fathom::test::random_vector<double>(n, static_cast<uint64_t>(60 + n));
      for (int64_t i = 0; i < n; i += 5) v[static_cast<size_t>(i)] = 0.0;
      Tensor x = make(v, {n}, dt);
      auto [out, mask] = ops::relu_mask(x);
      CHECK(mask.dtype() == DType::U8 && mask.shape() == fathom::Shape({(n + 7) / 8}));
      CHECK(values(out) == values(ops::relu(x)));
      const std::vector<double> mv = values(mask), xv = values(x);
      int64_t wrong = 0;
      for (int64_t i = 0; i < static_cast<int64_t>(mv.size()) * 8; ++i) {
        const bool bit = (static_cast<unsigned>(mv[static_cast<size_t>(i / 8)]) >> (i % 8)) & 1u;
        wrong += bit != (i < n && xv[static_cast<size_t>(i)] > 0);
      }
      CHECK_EQ(wrong, int64_t{0});
      Tensor g = random({n}, static_cast<uint64_t>(70 + n), dt);
      CHECK(values(ops::relu_backward_mask(g, mask)) == values(ops::relu_backward(g, out)));
    }
  }
  Tensor g = random({4, 5}, 1, DType::F32);
  CHECK_FAILS(ops::relu_backward_mask(g, make({0, 0}, {2}, DType::I32)), ErrorKind::Type,
              "reluBackwardMask", "argument mask");
  CHECK_FAILS(ops::relu_backward_mask(g, make({0, 0}, {2}, DType::U8)), ErrorKind::Shape,
              "reluBackwardMask", "argument mask", "u8[3]", "f32[4, 5]");
  CHECK_FAILS(ops::relu_backward_mask(g, make({0, 0, 0}, {1, 3}, DType::U8)), ErrorKind::Shape,
              "reluBackwardMask", "argument mask");
  CHECK_FAILS(ops::relu_mask(make({1, 2}, {2}, DType::I32)), ErrorKind::Type, "reluBits",
              "argument x");
}

TEST(ops_log_softmax_and_nll) {
  Tensor x = random({4, 3}, 41);
  Tensor y = ops::log_softmax(x);
  const std::vector<double> xv = values(x), yv = values(y);
  std::vector<double> want(12);
  for (int r = 0; r < 4; ++r) {
    double s = 0;
    for (int c = 0; c < 3; ++c) s += std::exp(xv[r * 3 + c]);
    for (int c = 0; c < 3; ++c) want[r * 3 + c] = xv[r * 3 + c] - std::log(s);
  }
  CHECK_ALL_CLOSE(yv.data(), want.data(), 12, 1e-14, 1e-14);
  Tensor g = random({4, 3}, 42);
  const std::vector<double> gv = values(g);
  for (int r = 0; r < 4; ++r) {
    double s = gv[r * 3] + gv[r * 3 + 1] + gv[r * 3 + 2];
    for (int c = 0; c < 3; ++c) want[r * 3 + c] = gv[r * 3 + c] - std::exp(yv[r * 3 + c]) * s;
  }
  CHECK_ALL_CLOSE(values(ops::log_softmax_backward(g, y)).data(), want.data(), 12, 1e-14, 1e-14);

  // Row 2 is outside the mask, so its label (-1, "unlabeled") is never checked or read.
  Tensor labels = make({2, 0, -1, 1}, {4}, DType::I32);
  Tensor mask = make({1, 1, 0, 1}, {4}, DType::U8);
  Tensor loss = ops::nll_loss(y, labels, mask);
  CHECK(loss.ndim() == 0);
  CHECK_NEAR(scalar(loss), -(yv[0 * 3 + 2] + yv[1 * 3 + 0] + yv[3 * 3 + 1]) / 3, 1e-15);
  Tensor d = ops::nll_loss_backward(1.5, y, labels, mask);
  std::vector<double> dwant(12, 0.0);
  dwant[2] = dwant[3] = dwant[10] = -0.5;
  CHECK_ALL_CLOSE(values(d).data(), dwant.data(), 12, 1e-15, 0.0);
  // Without a mask every row counts.
  Tensor all = make({2, 0, 1, 1}, {4}, DType::I32);
  CHECK_NEAR(scalar(ops::nll_loss(y, all, Tensor())), -(yv[2] + yv[3] + yv[7] + yv[10]) / 4, 1e-15);
}

TEST(ops_fill_cast_count) {
  Tensor f = ops::fill({2, 3}, DType::F32, Device::CPU, 1.5);
  CHECK(values(f) == std::vector<double>(6, 1.5));
  CHECK(values(ops::fill({4}, DType::I32, Device::CPU, -7)) == std::vector<double>(4, -7));
  CHECK(values(ops::fill({2}, DType::U8, Device::CPU, 255)) == std::vector<double>(2, 255));
  CHECK_EQ(ops::fill({0, 3}, DType::F64, Device::CPU, 2).numel(), 0);

  Tensor x = make({1.25, -2.75, 3.5}, {3});
  Tensor x32 = ops::cast(x, DType::F32);
  CHECK(x32.dtype() == DType::F32);
  CHECK(values(x32) == values(x));
  CHECK(values(ops::cast(x, DType::I32)) == std::vector<double>({1, -2, 3}));
  CHECK(values(ops::cast(make({0, 1, 1}, {3}, DType::U8), DType::F64)) ==
        std::vector<double>({0, 1, 1}));
  Tensor same = ops::cast(x, DType::F64);
  CHECK(same.raw() != x.raw());  // a copy, never an alias

  const double inf = std::numeric_limits<double>::infinity();
  CHECK_EQ(ops::count_nonfinite(make({1, std::nan(""), inf, -inf, 0}, {5})), 3);
  CHECK_EQ(ops::count_nonfinite(make({1, inf}, {2}, DType::F32)), 1);
  CHECK_EQ(ops::count_nonfinite(make({1, 2}, {2}, DType::I32)), 0);
}

TEST(ops_optimizers_match_reference) {
  Tensor p = make({1.0, -2.0, 0.5}, {3}), g = make({0.1, 0.2, -0.3}, {3});
  Tensor m = make({0.01, 0, -0.02}, {3}), v = make({0.001, 0.002, 0}, {3});
  const ops::AdamOptions ao{0.01, 0.9, 0.999, 1e-8, 0.1, 3};
  std::vector<double> pw = values(p), gw = values(g), mw = values(m), vw = values(v);
  for (size_t i = 0; i < 3; ++i) {
    const double gi = gw[i] + 0.1 * pw[i];
    mw[i] = 0.9 * mw[i] + 0.1 * gi;
    vw[i] = 0.999 * vw[i] + 0.001 * gi * gi;
    const double mhat = mw[i] / (1 - std::pow(0.9, 3)), vhat = vw[i] / (1 - std::pow(0.999, 3));
    pw[i] -= 0.01 * mhat / (std::sqrt(vhat) + 1e-8);
  }
  ops::adam_step(p, g, m, v, ao);
  CHECK_ALL_CLOSE(values(p).data(), pw.data(), 3, 1e-12, 1e-15);
  CHECK_ALL_CLOSE(values(m).data(), mw.data(), 3, 1e-12, 1e-15);
  CHECK_ALL_CLOSE(values(v).data(), vw.data(), 3, 1e-12, 1e-15);

  // Momentum SGD, two steps, then plain SGD with no buffer at all.
  Tensor q = make({1.0, -2.0, 0.5}, {3}), buf = Tensor::zeros({3}, DType::F64, Device::CPU);
  std::vector<double> qw = values(q), bw(3);
  for (int step = 0; step < 2; ++step) {
    ops::sgd_step(q, g, buf, {0.1, 0.9, 0.0, 0.0, true, step == 0});
    for (size_t i = 0; i < 3; ++i) {
      bw[i] = step == 0 ? gw[i] : 0.9 * bw[i] + gw[i];
      qw[i] -= 0.1 * (gw[i] + 0.9 * bw[i]);
    }
  }
  CHECK_ALL_CLOSE(values(q).data(), qw.data(), 3, 1e-14, 1e-15);
  CHECK_ALL_CLOSE(values(buf).data(), bw.data(), 3, 1e-14, 1e-15);
  Tensor none;
  ops::sgd_step(q, g, none, {0.5, 0.0, 0.0, 0.0, false, true});
  for (size_t i = 0; i < 3; ++i) qw[i] -= 0.5 * gw[i];
  CHECK_ALL_CLOSE(values(q).data(), qw.data(), 3, 1e-14, 1e-15);
}

TEST(ops_validation_errors) {
  Tensor a = random({3, 4}, 1, DType::F32), b = random({5, 2}, 2, DType::F32);
  Tensor a64 = random({3, 4}, 1), i32 = make({1, 2, 3}, {3}, DType::I32);
  CHECK_FAILS(ops::matmul(a, b, false, false), ErrorKind::Shape,
              "matmul: inner dimensions differ: a is f32[3, 4] (transA=false), b is f32[5, 2] "
              "(transB=false)");
  CHECK_FAILS(ops::matmul(a, a64, false, true), ErrorKind::Type, "matmul", "argument b", "f64",
              "f32[3, 4]");
  CHECK_FAILS(ops::matmul(i32, a, false, false), ErrorKind::Type, "matmul", "argument a", "i32");
  CHECK_FAILS(ops::matmul(random({3}, 1), a, false, false), ErrorKind::Shape, "matmul",
              "argument a", "2-D", "[3]");
  CHECK_FAILS(ops::matmul(Tensor(), a, false, false), ErrorKind::Type, "matmul", "argument a");

  CHECK_FAILS(ops::add(a, random({4, 3}, 3, DType::F32)), ErrorKind::Shape, "add", "argument y",
              "[4, 3]", "[3, 4]");
  CHECK_FAILS(ops::add(a, a64), ErrorKind::Type, "add", "argument y", "f64[3, 4]");
  CHECK_FAILS(ops::mul(i32, i32), ErrorKind::Type, "mul", "argument x");
  Tensor acc = a.clone();
  CHECK_FAILS(ops::add_(acc, random({12}, 3, DType::F32), 1.0), ErrorKind::Shape, "add_",
              "argument y");
  CHECK_FAILS(ops::bias_add(a, random({3}, 4, DType::F32)), ErrorKind::Shape, "biasAdd",
              "argument bias", "[3]", "[3, 4]");
  CHECK_FAILS(ops::sum_rows(random({3}, 1)), ErrorKind::Shape, "sumRows", "argument x");
  CHECK_FAILS(ops::argmax_rows(random({3, 0}, 1)), ErrorKind::Shape, "argmaxRows", "argument x");
  CHECK_FAILS(ops::sum(i32), ErrorKind::Type, "sum", "argument x", "i32");
  CHECK_FAILS(ops::relu_backward(a, a64), ErrorKind::Type, "reluBackward", "argument y");
  // Coefficients must be finite.
  CHECK_FAILS(ops::axpby(std::nan(""), a, 1, a), ErrorKind::Range, "axpby", "argument alpha",
              "finite");
  CHECK_FAILS(ops::axpby(1, a, INFINITY, a), ErrorKind::Range, "axpby", "argument beta", "inf");
  CHECK_FAILS(ops::scale(a, -INFINITY), ErrorKind::Range, "scale", "argument alpha", "-inf");

  CHECK_FAILS(ops::dropout(a, 1.0, 1), ErrorKind::Range, "dropout", "argument p", "[0, 1)");
  CHECK_FAILS(ops::dropout(a, -0.1, 1), ErrorKind::Range, "dropout", "argument p");
  CHECK_FAILS(ops::dropout(a, std::nan(""), 1), ErrorKind::Range, "dropout", "argument p");
  CHECK_FAILS(ops::dropout_backward(a, a, 0.5), ErrorKind::Type, "dropoutBackward", "argument mask",
              "u8");

  // Graph ops: x rows must match the operator's columns; values must match x's dtype.
  Csr adj = graph();
  Csr p64 = fathom::csr_operator(adj, "gcn", DType::F64);
  CHECK_FAILS(ops::spmm(adj, Tensor(), random({4, 3}, 1), 1, 0), ErrorKind::Shape, "spmm",
              "argument x", "[4, 3]", "one row per node (5)");
  CHECK_FAILS(ops::spmm(adj, Tensor(), random({4, 3}, 1), 1, 0, "propagate"), ErrorKind::Shape,
              "propagate: argument x");
  CHECK_FAILS(ops::spmm(p64, Tensor(), random({5, 3}, 1, DType::F32), 1, 0), ErrorKind::Type,
              "spmm", "argument x", "f32[5, 3]", "f64 values");
  CHECK_FAILS(ops::spmm(adj, random({4}, 1), random({5, 3}, 1), 1, 0), ErrorKind::Shape, "spmm",
              "argument edgeValues", "[4]", "[6]");
  CHECK_FAILS(ops::spmm(adj, random({6}, 1, DType::F32), random({5, 3}, 1), 1, 0), ErrorKind::Type,
              "spmm", "argument edgeValues", "f32[6]");
  CHECK_FAILS(ops::spmm(adj, Tensor(), make({1, 2, 3}, {1, 3}, DType::I32), 1, 0), ErrorKind::Type,
              "spmm", "argument x", "i32");
  CHECK_FAILS(ops::spmm(Csr(), Tensor(), random({5, 3}, 1), 1, 0), ErrorKind::Type, "spmm",
              "argument op");
  CHECK_FAILS(ops::spmm(adj, Tensor(), random({5, 3}, 1), std::nan(""), 0), ErrorKind::Range,
              "spmm", "argument alpha", "finite");
  CHECK_FAILS(ops::spmm(adj, Tensor(), random({5, 3}, 1), 1, INFINITY), ErrorKind::Range, "spmm",
              "argument selfScale", "finite");
  Csr rect = fathom::csr_transpose(adj);
  rect.cols = 6;
  CHECK_FAILS(ops::spmm(rect, Tensor(), random({6, 2}, 1), 1, 0.5), ErrorKind::Shape, "spmm",
              "selfScale", "square");
  CHECK_FAILS(ops::spmm(rect, Tensor(), random({5, 2}, 1), 1, 0), ErrorKind::Shape, "spmm",
              "6 rows, one per column of the operator");
  CHECK_FAILS(ops::propagate_bias_act(p64, random({4, 3}, 1), Tensor(), 1, 0, true),
              ErrorKind::Shape, "propagateBiasAct", "argument x", "[4, 3]", "one row per node (5)");
  CHECK_FAILS(ops::propagate_bias_act(p64, random({5, 3}, 1), random({4}, 2), 1, 0, true),
              ErrorKind::Shape, "propagateBiasAct", "argument bias", "f64[4]", "f64[5, 3]");
  CHECK_FAILS(
      ops::propagate_bias_act(p64, random({5, 3}, 1), random({3}, 2, DType::F32), 1, 0, false),
      ErrorKind::Type, "propagateBiasAct", "bias", "f32[3]");
  CHECK_FAILS(ops::propagate_bias_act(rect, random({6, 2}, 1), Tensor(), 1, 0.5, false),
              ErrorKind::Shape, "propagateBiasAct", "selfScale", "square");
  CHECK_FAILS(ops::propagate_bias_act(p64, random({5, 3}, 1), Tensor(), std::nan(""), 0, false),
              ErrorKind::Range, "propagateBiasAct", "argument alpha");
  CHECK_FAILS(ops::propagate_bias_act_backward(p64, random({4, 3}, 1), random({4, 3}, 2), 1, 0,
                                               true, true, true),
              ErrorKind::Shape, "propagateBiasActBackward", "argument grad", "5 rows");
  CHECK_FAILS(ops::propagate_bias_act_backward(p64, random({5, 3}, 1), random({5, 2}, 2), 1, 0,
                                               true, true, true),
              ErrorKind::Shape, "propagateBiasActBackward", "grad is f64[5, 3]", "y is f64[5, 2]");
  CHECK_FAILS(ops::sddmm(adj, random({4, 2}, 1), random({5, 2}, 2)), ErrorKind::Shape, "sddmm",
              "argument a");
  CHECK_FAILS(ops::sddmm(adj, random({5, 2}, 1), random({5, 3}, 2)), ErrorKind::Shape, "sddmm",
              "a is f64[5, 2]", "b is f64[5, 3]");

  // Labels: only masked rows are range-checked.
  Tensor logp = ops::log_softmax(random({4, 3}, 5));
  Tensor mask = make({1, 0, 1, 1}, {4}, DType::U8);
  CHECK_FAILS(ops::nll_loss(logp, make({0, 9, 3, 1}, {4}, DType::I32), mask), ErrorKind::Range,
              "nllLoss", "labels[2] = 3", "[0, 3)");
  CHECK_FAILS(ops::nll_loss_backward(1.0, logp, make({0, 1, -1, 1}, {4}, DType::I32), Tensor()),
              ErrorKind::Range, "nllLossBackward", "labels[2] = -1");
  CHECK_FAILS(ops::nll_loss(logp, make({0, 1, 2, 1}, {4}), mask), ErrorKind::Type, "nllLoss",
              "argument labels", "i32");
  CHECK_FAILS(ops::nll_loss(logp, make({0, 1, 2}, {3}, DType::I32), mask), ErrorKind::Shape,
              "nllLoss", "argument labels", "[3]");
  CHECK_FAILS(
      ops::nll_loss(logp, make({0, 1, 2, 1}, {4}, DType::I32), make({1, 1}, {2}, DType::U8)),
      ErrorKind::Shape, "nllLoss", "argument mask");
  CHECK_FAILS(ops::nll_loss(logp, make({0, 1, 2, 1}, {4}, DType::I32), make({1, 1, 1, 1}, {4})),
              ErrorKind::Type, "nllLoss", "argument mask", "u8");

  CHECK_FAILS(ops::fill({2}, DType::U8, Device::CPU, 256), ErrorKind::Range, "fill", "value");
  CHECK_FAILS(ops::fill({2}, DType::I32, Device::CPU, std::nan("")), ErrorKind::Range, "fill");
  CHECK_FAILS(ops::fill({-1}, DType::F32, Device::CPU, 0), ErrorKind::Range, "fill", "shape");
  CHECK_FAILS(ops::cast(make({1, 300}, {2}), DType::U8), ErrorKind::Range, "cast", "x[1]");

  Tensor p = random({3}, 1), g = random({3}, 2), m = random({3}, 3), v = random({3}, 4);
  CHECK_FAILS(ops::adam_step(p, g, m, v, {0.01, 1.0, 0.999, 1e-8, 0, 1}), ErrorKind::Range,
              "adam_step", "beta1");
  CHECK_FAILS(ops::adam_step(p, g, m, v, {0.01, 0.9, 0.999, 1e-8, 0, 0}), ErrorKind::Range,
              "adam_step", "step");
  Tensor v32 = random({3}, 4, DType::F32);
  CHECK_FAILS(ops::adam_step(p, g, m, v32, {0.01, 0.9, 0.999, 1e-8, 0, 1}), ErrorKind::Type,
              "adam_step", "argument v");
  Tensor none;
  CHECK_FAILS(ops::sgd_step(p, g, none, {0.1, 0.9, 0, 0, false, true}), ErrorKind::Type, "sgd_step",
              "argument buf");
  CHECK_FAILS(ops::sgd_step(p, g, m, {0.1, 0.9, 0.5, 0, true, true}), ErrorKind::Range, "sgd_step",
              "nesterov");
  CHECK_FAILS(ops::sgd_step(p, random({4}, 2), m, {0.1, 0.9, 0, 0, false, true}), ErrorKind::Shape,
              "sgd_step", "argument grad");
}
