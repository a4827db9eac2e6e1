// The softmax aggregation (ops/softmax_aggregate.h over cpu/softmax_aggregate.cc): forward against
// a plain double loop over the edge list, backward against central finite differences in double,
// the t = 0 and large-t limits, float against double, and argument errors. The graph is a seeded
// random edge list with two isolated nodes (empty rows), as the "sum" operator (in-edges only)
// and the "gin" operator (a self loop with no edge term added per node).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "graph/csr.h"
#include "ops/ops.h"
#include "ops/softmax_aggregate.h"

namespace {

using fathom::Csr;
using fathom::DType;
using fathom::ErrorKind;
using fathom::Tensor;

constexpr int64_t kN = 8;
constexpr double kEps = 1e-7;

struct Graph {
  std::vector<int32_t> src, dst;
  Csr csr, csr_t;
  bool loops = false;  // "gin": every node also receives its own message, without an edge term
};

Graph make_graph(uint64_t seed, const char* kind = "sum", DType dtype = DType::F64) {
  Graph g;
  std::mt19937_64 gen(seed);
  for (int k = 0; k < 20; ++k) {
    // Nodes kN-2 and kN-1 get no edges: their rows are empty under "sum".
    const int32_t s = static_cast<int32_t>(gen() % (kN - 2)),
                  d = static_cast<int32_t>(gen() % (kN - 2));
    if (s == d) continue;
    g.src.push_back(s);
    g.dst.push_back(d);
  }
  const int64_t E = static_cast<int64_t>(g.src.size());
  std::vector<int32_t> ei(g.src);
  ei.insert(ei.end(), g.dst.begin(), g.dst.end());
  Tensor t = Tensor::from_host(ei.data(), {2, E}, DType::I32);
  g.csr = fathom::csr_operator(fathom::csr_from_edge_index(t, kN, "test"), kind, dtype);
  g.csr_t = fathom::csr_transpose(g.csr);
  g.loops = std::string(kind) == "gin";
  return g;
}

int64_t num_edges(const Graph& g) { return static_cast<int64_t>(g.src.size()); }

std::vector<double> random_values(int64_t n, uint64_t seed, double scale = 1) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> d(-scale, scale);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto& x : v) x = d(gen);
  return v;
}

Tensor tensor(const std::vector<double>& v, fathom::Shape shape, DType dtype = DType::F64) {
  const Tensor t = Tensor::from_host(v.data(), shape, DType::F64);
  return dtype == DType::F64 ? t : fathom::ops::cast(t, dtype);
}

std::vector<double> values(const Tensor& t) {
  const Tensor d = t.dtype() == DType::F64 ? t : fathom::ops::cast(t, DType::F64);
  const double* p = static_cast<const double*>(d.raw());
  return std::vector<double>(p, p + d.numel());
}

// out[i, f] = Σ_k softmax_k(t m_kf) m_kf over the edges into i, from the edge list directly, with
// the softmax computed on its own (max first, then the normalized weights).
std::vector<double> reference(const Graph& g, const std::vector<double>& x,
                              const std::vector<double>* e, double t, int64_t F) {
  std::vector<double> out(static_cast<size_t>(kN * F), 0.0);
  for (int64_t i = 0; i < kN; ++i) {
    for (int64_t f = 0; f < F; ++f) {
      std::vector<double> m;
      for (size_t k = 0; k < g.src.size(); ++k) {
        if (g.dst[k] != i) continue;
        const double z = x[g.src[k] * F + f] + (e ? (*e)[k * F + f] : 0.0);
        m.push_back(std::max(z, 0.0) + kEps);
      }
      if (g.loops) m.push_back(std::max(x[i * F + f], 0.0) + kEps);
      if (m.empty()) continue;
      double mx = t * m[0], den = 0, acc = 0;
      for (double v : m) mx = std::max(mx, t * v);
      for (double v : m) den += std::exp(t * v - mx);
      for (double v : m) acc += std::exp(t * v - mx) / den * v;
      out[i * F + f] = acc;
    }
  }
  return out;
}

// Moves every x_j + e_k at least 0.05 away from the ReLU's kink, so finite differences of step
// 1e-6 never straddle it.
void keep_off_kinks(const Graph& g, const std::vector<double>& x, std::vector<double>* e,
                    int64_t F) {
  for (size_t k = 0; k < g.src.size(); ++k) {
    for (int64_t f = 0; f < F; ++f) {
      double& ev = (*e)[k * F + f];
      const double z = x[g.src[k] * F + f] + ev;
      if (std::fabs(z) < 0.05) ev += z >= 0 ? 0.1 : -0.1;
    }
  }
}

void keep_off_zero(std::vector<double>* x) {
  for (auto& v : *x) {
    if (std::fabs(v) < 0.05) v = v >= 0 ? 0.1 : -0.1;
  }
}

}  // namespace

TEST(softmax_aggregate_forward_matches_a_double_loop_reference) {
  for (const char* kind : {"sum", "gin"}) {
    const Graph g = make_graph(3, kind);
    const int64_t F = 5, E = num_edges(g);
    const auto x = random_values(kN * F, 1), e = random_values(E * F, 2);
    for (bool with_e : {false, true}) {
      if (with_e && g.loops) continue;  // edge features go with the in-edges-only operator
      for (double t : {-0.7, 0.0, 1.3, 25.0}) {
        const auto r = fathom::ops::softmax_aggregate(g.csr, tensor(x, {kN, F}),
                                                      with_e ? tensor(e, {E, F}) : Tensor(),
                                                      tensor({t}, {1}), kEps);
        const auto want = reference(g, x, with_e ? &e : nullptr, t, F);
        const auto got = values(r.out);
        CHECK_ALL_CLOSE(got.data(), want.data(), kN * F, 1e-13, 1e-15);
        // Empty rows (the two isolated nodes under "sum"): out 0 and stats (max, sum) = (0, 0).
        const auto stats = values(r.stats);
        if (!g.loops) {
          for (int64_t i = kN - 2; i < kN; ++i) {
            for (int64_t f = 0; f < F; ++f) {
              CHECK_EQ(got[i * F + f], 0.0);
              CHECK_EQ(stats[i * F + f], 0.0);
              CHECK_EQ(stats[kN * F + i * F + f], 0.0);
            }
          }
        }
      }
    }
  }
}

TEST(softmax_aggregate_limits_are_the_mean_and_the_maximum_of_the_messages) {
  const Graph g = make_graph(4);
  const int64_t F = 3, E = num_edges(g);
  const auto x = random_values(kN * F, 5), e = random_values(E * F, 6);
  const Tensor xt = tensor(x, {kN, F}), et = tensor(e, {E, F});
  const auto mean =
      values(fathom::ops::softmax_aggregate(g.csr, xt, et, tensor({0.0}, {1}), kEps).out);
  // t = 1e12: a message below the maximum by a gap d shifts out by at most d·exp(−t·d) ≤ 1/(e·t)
  // ≈ 4e-13 per message, whatever d is; exp never overflows because the maximum is subtracted.
  const auto top =
      values(fathom::ops::softmax_aggregate(g.csr, xt, et, tensor({1e12}, {1}), kEps).out);
  for (int64_t i = 0; i < kN; ++i) {
    for (int64_t f = 0; f < F; ++f) {
      double sum = 0, mx = 0;
      int n = 0;
      for (size_t k = 0; k < g.src.size(); ++k) {
        if (g.dst[k] != i) continue;
        const double m = std::max(x[g.src[k] * F + f] + e[k * F + f], 0.0) + kEps;
        sum += m;
        mx = n == 0 ? m : std::max(mx, m);
        ++n;
      }
      CHECK_NEAR(mean[i * F + f], n ? sum / n : 0.0, 1e-15);
      CHECK(std::isfinite(top[i * F + f]));
      CHECK_NEAR(top[i * F + f], mx, 5e-12);
    }
  }
}

TEST(softmax_aggregate_backward_matches_central_differences_in_double) {
  for (const char* kind : {"sum", "gin"}) {
    const Graph g = make_graph(5, kind);
    const int64_t F = 4, E = num_edges(g);
    for (bool with_e : {false, true}) {
      if (with_e && g.loops) continue;
      for (double t0 : {-0.8, 0.0, 1.7}) {
        std::vector<std::vector<double>> in{
            random_values(kN * F, 11), random_values(E * F, 12), {t0}};
        keep_off_zero(&in[0]);
        keep_off_kinks(g, in[0], &in[1], F);
        const auto R = random_values(kN * F, 15);
        auto forward = [&](const std::vector<std::vector<double>>& v) {
          return fathom::ops::softmax_aggregate(g.csr, tensor(v[0], {kN, F}),
                                                with_e ? tensor(v[1], {E, F}) : Tensor(),
                                                tensor(v[2], {1}), kEps);
        };
        auto loss = [&](const std::vector<std::vector<double>>& v) {
          const auto out = values(forward(v).out);
          double s = 0;
          for (int64_t k = 0; k < kN * F; ++k) s += R[k] * out[k];
          return s;
        };
        const auto r = forward(in);
        const auto grads = fathom::ops::softmax_aggregate_backward(
            g.csr_t, tensor(in[0], {kN, F}), with_e ? tensor(in[1], {E, F}) : Tensor(),
            tensor(in[2], {1}), kEps, r.out, r.stats, tensor(R, {kN, F}));
        CHECK(grads.de.defined() == with_e);
        const std::vector<std::vector<double>> analytic{
            values(grads.dx), with_e ? values(grads.de) : std::vector<double>(), values(grads.dt)};
        for (int which = 0; which < 3; ++which) {
          if (which == 1 && !with_e) continue;
          // h = 1e-6: truncation O(h²) ≈ 1e-12 and rounding O(ε/h) ≈ 1e-10, both far below 1e-7.
          double num = 0, den = 0;
          for (size_t k = 0; k < in[which].size(); ++k) {
            auto up = in, down = in;
            up[which][k] += 1e-6;
            down[which][k] -= 1e-6;
            const double fd = (loss(up) - loss(down)) / 2e-6;
            num += (fd - analytic[which][k]) * (fd - analytic[which][k]);
            den += fd * fd;
          }
          CHECK(std::sqrt(num) <= 1e-7 * std::max(std::sqrt(den), 1e-12));
        }
      }
    }
  }
}

TEST(softmax_aggregate_backward_is_deterministic_and_float_agrees_with_double) {
  const Graph g64 = make_graph(6), g32 = make_graph(6, "sum", DType::F32);
  const int64_t F = 6, E = num_edges(g64);
  const auto x = random_values(kN * F, 21), e = random_values(E * F, 22),
             R = random_values(kN * F, 23);
  std::vector<std::vector<double>> got[2];
  for (int run = 0; run < 2; ++run) {
    for (DType dtype : {DType::F64, DType::F32}) {
      const Graph& g = dtype == DType::F64 ? g64 : g32;
      const Tensor xt = tensor(x, {kN, F}, dtype), et = tensor(e, {E, F}, dtype),
                   tt = tensor({1.5}, {1}, dtype);
      const auto r = fathom::ops::softmax_aggregate(g.csr, xt, et, tt, kEps);
      const auto d = fathom::ops::softmax_aggregate_backward(g.csr_t, xt, et, tt, kEps, r.out,
                                                             r.stats, tensor(R, {kN, F}, dtype));
      for (const Tensor* t : {&r.out, &d.dx, &d.de, &d.dt}) got[run].push_back(values(*t));
    }
  }
  for (size_t k = 0; k < got[0].size(); ++k) {
    CHECK_ALL_CLOSE(got[1][k].data(), got[0][k].data(), static_cast<int64_t>(got[0][k].size()), 0,
                    0);
  }
  // f32 against f64 (out, dx, de, dt): inputs rounded at ε = 6e-8 and a few dozen roundings of
  // unit-scale terms per element; 1e-5 relative plus 1e-6 absolute is a loose bound.
  for (size_t k = 0; k < 4; ++k) {
    CHECK_ALL_CLOSE(got[0][4 + k].data(), got[0][k].data(), static_cast<int64_t>(got[0][k].size()),
                    1e-5, 1e-6);
  }
}

TEST(softmax_aggregate_rejects_bad_arguments_naming_the_op_and_argument) {
  const Graph g = make_graph(9);
  const int64_t F = 4, E = num_edges(g);
  const Tensor x = tensor(random_values(kN * F, 1), {kN, F});
  const Tensor e = tensor(random_values(E * F, 2), {E, F});
  const Tensor t = tensor({1.0}, {1});
  namespace ops = fathom::ops;
  CHECK_FAILS(ops::softmax_aggregate(g.csr, tensor(random_values(4 * F, 3), {4, F}), e, t, kEps),
              ErrorKind::Shape, "softmaxAggregate", "argument x", "f64[4, 4]", "one row per");
  CHECK_FAILS(ops::softmax_aggregate(g.csr, x, tensor(random_values(E * 3, 3), {E, 3}), t, kEps),
              ErrorKind::Shape, "softmaxAggregate", "argument edgeAttr", "f64[8, 4]");
  CHECK_FAILS(
      ops::softmax_aggregate(g.csr, x, tensor(random_values((E + 1) * F, 3), {E + 1, F}), t, kEps),
      ErrorKind::Shape, "softmaxAggregate", "argument edgeAttr", "nnz");
  CHECK_FAILS(ops::softmax_aggregate(g.csr, x, e, tensor({1.0, 2.0}, {2}), kEps), ErrorKind::Shape,
              "softmaxAggregate", "argument t", "f64[2]", "[1]");
  CHECK_FAILS(ops::softmax_aggregate(g.csr, x, e, tensor({1.0}, {1}, DType::F32), kEps),
              ErrorKind::Type, "softmaxAggregate", "argument t", "f32[1]", "f64[8, 4]");
  CHECK_FAILS(ops::softmax_aggregate(g.csr, x, tensor(random_values(E * F, 3), {E, F}, DType::F32),
                                     t, kEps),
              ErrorKind::Type, "softmaxAggregate", "argument edgeAttr", "f32");
  CHECK_FAILS(ops::softmax_aggregate(g.csr, x, e, Tensor(), kEps), ErrorKind::Type,
              "softmaxAggregate", "argument t");
  CHECK_FAILS(ops::softmax_aggregate(g.csr, x, e, t, NAN), ErrorKind::Range, "softmaxAggregate",
              "argument eps");
  CHECK_FAILS(ops::softmax_aggregate(g.csr, Tensor::zeros({kN, F}, DType::I32, fathom::Device::CPU),
                                     Tensor(), t, kEps),
              ErrorKind::Type, "softmaxAggregate", "argument x", "i32");
  Csr no_perm = g.csr;
  no_perm.perm = Tensor();
  CHECK_FAILS(ops::softmax_aggregate(no_perm, x, e, t, kEps), ErrorKind::Type, "softmaxAggregate",
              "argument op", "perm");
  // Without edge features no perm is needed.
  CHECK(ops::softmax_aggregate(no_perm, x, Tensor(), t, kEps).out.defined());
  const auto r = ops::softmax_aggregate(g.csr, x, e, t, kEps);
  CHECK_FAILS(ops::softmax_aggregate_backward(g.csr_t, x, e, t, kEps, r.out,
                                              tensor(random_values(kN * F, 4), {kN, F}), r.out),
              ErrorKind::Shape, "softmaxAggregateBackward", "argument stats", "[2, 8, 4]");
  CHECK_FAILS(ops::softmax_aggregate_backward(g.csr_t, x, e, t, kEps, r.out, r.stats,
                                              tensor(random_values(kN * 3, 4), {kN, 3})),
              ErrorKind::Shape, "softmaxAggregateBackward", "argument grad");
}
