// GAT attention (ops/gat.h over cpu/gat_attention.cc): forward against a naive double reference
// with the softmax computed separately, backward against central finite differences in double,
// attention-dropout replay between the forward and the transposed backward, overflow safety,
// argument errors, and a sampled block's rectangular operator against the square operator padded
// with a self loop per extra source. The graph is a seeded random edge list turned into the "gin"
// operator.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "check.h"
#include "core/counter_rng.h"
#include "core/error.h"
#include "cpu/kernels.h"
#include "graph/csr.h"
#include "ops/gat.h"

namespace {

using fathom::Csr;
using fathom::DType;
using fathom::Tensor;
using fathom::ops::GatConfig;

constexpr int64_t kN = 8;

struct Graph {
  std::vector<int32_t> src, dst;
  Csr csr, csr_t;
};

Graph make_graph(uint64_t seed) {
  Graph g;
  std::mt19937_64 gen(seed);
  for (int k = 0; k < 20; ++k) {
    const int32_t s = static_cast<int32_t>(gen() % kN), d = static_cast<int32_t>(gen() % kN);
    if (s == d) continue;  // self loops come from the operator
    g.src.push_back(s);
    g.dst.push_back(d);
  }
  const int64_t E = static_cast<int64_t>(g.src.size());
  std::vector<int32_t> ei(g.src);
  ei.insert(ei.end(), g.dst.begin(), g.dst.end());
  Tensor t = Tensor::from_host(ei.data(), {2, E}, DType::I32);
  g.csr = fathom::csr_operator(fathom::csr_from_edge_index(t, kN, "test"), "gin", DType::F64);
  g.csr_t = fathom::csr_transpose(g.csr);
  return g;
}

std::vector<double> random_values(int64_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> d(-1, 1);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto& x : v) x = d(gen);
  return v;
}

Tensor tensor(const std::vector<double>& v, fathom::Shape shape) {
  return Tensor::from_host(v.data(), shape, DType::F64);
}

const double* data(const Tensor& t) { return static_cast<const double*>(t.raw()); }

double lrelu(double z) { return z > 0 ? z : 0.2 * z; }

// out_i = Σ_j softmax_j(e_ij) keep/(1−p) xs_j from the edge list directly.
std::vector<double> reference(const GatConfig& c, const Graph& g, const std::vector<double>& xs,
                              const std::vector<double>& xt, const std::vector<double>& as,
                              const std::vector<double>& ad) {
  const int64_t W = static_cast<int64_t>(xs.size()) / kN, H = c.heads, F = W / H;
  std::vector<double> out(xs.size(), 0.0);
  const auto rule = fathom::dropout_rule(c.seed, c.p);
  for (int64_t i = 0; i < kN; ++i) {
    std::vector<std::pair<int64_t, uint64_t>> nb{{i, (uint64_t{1} << 31) + i}};
    for (size_t k = 0; k < g.src.size(); ++k) {
      if (g.dst[k] == i) nb.push_back({g.src[k], k});
    }
    for (int64_t h = 0; h < H; ++h) {
      std::vector<double> e;
      for (auto [j, key] : nb) {
        double s = 0;
        for (int64_t f = 0; f < F; ++f) {
          const double u = xs[j * W + h * F + f], v = xt[i * W + h * F + f];
          s +=
              c.version == 1 ? as[h * F + f] * u + ad[h * F + f] * v : as[h * F + f] * lrelu(u + v);
        }
        e.push_back(c.version == 1 ? lrelu(s) : s);
      }
      double m = e[0], sum = 0;
      for (double x : e) m = std::max(m, x);
      for (double x : e) sum += std::exp(x - m);
      for (size_t t = 0; t < nb.size(); ++t) {
        if (!fathom::dropout_keep(rule, nb[t].second * H + h)) continue;
        const double w = std::exp(e[t] - m) / sum / (1 - c.p);
        for (int64_t f = 0; f < F; ++f)
          out[i * W + h * F + f] += w * xs[nb[t].first * W + h * F + f];
      }
    }
  }
  return out;
}

struct Case {
  int version;
  int64_t heads;
  double p;
  bool separate;
};
const Case kCases[] = {{1, 1, 0, false},    {1, 2, 0.3, false}, {2, 1, 0, false},
                       {2, 3, 0.25, false}, {2, 2, 0, true},    {2, 2, 0.4, true}};

}  // namespace

TEST(gat_forward_matches_naive_reference_for_v1_v2_heads_and_dropout) {
  const Graph g = make_graph(3);
  for (const Case& cs : kCases) {
    GatConfig c{cs.version, cs.heads, 0.2, cs.p, 17};
    const int64_t W = cs.heads * 3;
    const auto xs = random_values(kN * W, 1), as = random_values(W, 3), ad = random_values(W, 4);
    const auto xt = cs.separate ? random_values(kN * W, 2) : xs;
    const Tensor a_dst = cs.version == 1 ? tensor(ad, {W}) : Tensor();
    const auto r = fathom::ops::gat_attention(c, g.csr, tensor(xs, {kN, W}), tensor(xt, {kN, W}),
                                              tensor(as, {W}), a_dst);
    const auto want = reference(c, g, xs, xt, as, ad);
    CHECK_ALL_CLOSE(data(r.out), want.data(), kN * W, 1e-12, 1e-14);
  }
}

TEST(gat_backward_matches_central_differences_in_double) {
  const Graph g = make_graph(5);
  for (const Case& cs : kCases) {
    GatConfig c{cs.version, cs.heads, 0.2, cs.p, 23};
    const int64_t W = cs.heads * 2;
    std::vector<std::vector<double>> in{random_values(kN * W, 11), random_values(kN * W, 12),
                                        random_values(W, 13), random_values(W, 14)};
    if (!cs.separate) in[1] = in[0];
    const auto R = random_values(kN * W, 15);
    auto forward = [&](const std::vector<std::vector<double>>& v) {
      return fathom::ops::gat_attention(c, g.csr, tensor(v[0], {kN, W}), tensor(v[1], {kN, W}),
                                        tensor(v[2], {W}),
                                        c.version == 1 ? tensor(v[3], {W}) : Tensor());
    };
    auto loss = [&](const std::vector<std::vector<double>>& v) {
      const auto r = forward(v);
      double s = 0;
      for (int64_t k = 0; k < kN * W; ++k) s += R[k] * data(r.out)[k];
      return s;
    };
    const auto r = forward(in);
    const auto grads = fathom::ops::gat_attention_backward(
        c, g.csr, g.csr_t, tensor(in[0], {kN, W}), tensor(in[1], {kN, W}), tensor(in[2], {W}),
        c.version == 1 ? tensor(in[3], {W}) : Tensor(), r.out, r.stats, tensor(R, {kN, W}));
    // Analytic gradient per input; a shared xs = xt gets the sum of both sides.
    std::vector<std::vector<double>> analytic(4);
    analytic[0].assign(data(grads.dxs), data(grads.dxs) + kN * W);
    analytic[1].assign(data(grads.dxt), data(grads.dxt) + kN * W);
    if (!cs.separate) {
      for (int64_t k = 0; k < kN * W; ++k) analytic[0][k] += analytic[1][k];
    }
    analytic[2].assign(data(grads.da_src), data(grads.da_src) + W);
    if (c.version == 1) analytic[3].assign(data(grads.da_dst), data(grads.da_dst) + W);
    const int inputs = c.version == 1 ? 4 : 3;
    for (int which = 0; which < inputs; ++which) {
      if (which == 1 && !cs.separate) continue;
      // h = 1e-6: truncation O(h²) and rounding O(ε/h) both far below the 1e-6 bound.
      double num = 0, den = 0;
      for (size_t k = 0; k < in[which].size(); ++k) {
        auto up = in, down = in;
        up[which][k] += 1e-6;
        down[which][k] -= 1e-6;
        if (!cs.separate && which == 0) {
          up[1] = up[0];
          down[1] = down[0];
        }
        const double fd = (loss(up) - loss(down)) / 2e-6;
        num += (fd - analytic[which][k]) * (fd - analytic[which][k]);
        den += fd * fd;
      }
      CHECK(std::sqrt(num) <= 1e-6 * std::max(std::sqrt(den), 1e-12));
    }
  }
}

TEST(gat_with_the_seed_read_from_memory_matches_the_seed_by_value) {
  // seed_dev: a captured CUDA graph's per-step scalar; on the CPU the same bytes in host memory.
  const Graph g = make_graph(7);
  for (const Case& cs : kCases) {
    GatConfig by_value{cs.version, cs.heads, 0.2, 0.4, 0x9e3779b97f4a7c15ull};
    GatConfig from_memory = by_value;
    double bits = 0;
    std::memcpy(&bits, &by_value.seed, sizeof bits);
    from_memory.seed = 0;  // must not be read
    from_memory.seed_dev = &bits;
    const int64_t W = cs.heads * 3;
    const auto xs = random_values(kN * W, 31), as = random_values(W, 33), ad = random_values(W, 34);
    const auto xt = cs.separate ? random_values(kN * W, 32) : xs;
    const Tensor a_dst = cs.version == 1 ? tensor(ad, {W}) : Tensor();
    const Tensor txs = tensor(xs, {kN, W}), txt = tensor(xt, {kN, W}), tas = tensor(as, {W});
    const auto want = fathom::ops::gat_attention(by_value, g.csr, txs, txt, tas, a_dst);
    const auto got = fathom::ops::gat_attention(from_memory, g.csr, txs, txt, tas, a_dst);
    CHECK_ALL_CLOSE(data(got.out), data(want.out), kN * W, 0, 0);
    const Tensor grad = tensor(random_values(kN * W, 35), {kN, W});
    const auto gw = fathom::ops::gat_attention_backward(by_value, g.csr, g.csr_t, txs, txt, tas,
                                                        a_dst, want.out, want.stats, grad);
    const auto gg = fathom::ops::gat_attention_backward(from_memory, g.csr, g.csr_t, txs, txt, tas,
                                                        a_dst, want.out, want.stats, grad);
    CHECK_ALL_CLOSE(data(gg.dxs), data(gw.dxs), kN * W, 0, 0);
    CHECK_ALL_CLOSE(data(gg.da_src), data(gw.da_src), W, 0, 0);
  }
}

TEST(gat_backward_sums_both_gradients_in_one_buffer_when_xs_and_xt_are_one_tensor) {
  const Graph g = make_graph(6);
  for (int version : {1, 2}) {
    for (int64_t heads : {1, 8}) {
      GatConfig c{version, heads, 0.2, 0.3, 31};
      const int64_t W = heads * 3;
      const Tensor x = tensor(random_values(kN * W, 41), {kN, W});
      const Tensor copy = tensor(random_values(kN * W, 41), {kN, W});
      const Tensor as = tensor(random_values(W, 42), {W});
      const Tensor ad = version == 1 ? tensor(random_values(W, 43), {W}) : Tensor();
      const Tensor R = tensor(random_values(kN * W, 44), {kN, W});
      const auto r = fathom::ops::gat_attention(c, g.csr, x, x, as, ad);
      const auto apart = fathom::ops::gat_attention_backward(c, g.csr, g.csr_t, x, copy, as, ad,
                                                             r.out, r.stats, R);
      const auto merged = fathom::ops::gat_attention_backward(c, g.csr, g.csr_t, x, x, as, ad,
                                                              r.out, r.stats, R, true);
      CHECK(!merged.dxt.defined());
      std::vector<double> sum(kN * W);
      for (int64_t k = 0; k < kN * W; ++k) sum[k] = data(apart.dxs)[k] + data(apart.dxt)[k];
      // Same terms, summed onto the target side's value instead of beside it: a few ulps.
      CHECK_ALL_CLOSE(data(merged.dxs), sum.data(), kN * W, 1e-13, 1e-15);
      CHECK_ALL_CLOSE(data(merged.da_src), data(apart.da_src), W, 0, 0);
      CHECK_THROWS(fathom::ops::gat_attention_backward(c, g.csr, g.csr_t, x, copy, as, ad, r.out,
                                                       r.stats, R, true),
                   fathom::Error);
    }
  }
}

TEST(gat_attention_vector_gradients_are_whole_on_graphs_larger_than_one_reduction_chunk) {
  // K disjoint copies of one small graph with the same features, past the CPU backward's
  // kGatContribRows-row chunks: every copy contributes the same terms, so the attention-vector
  // gradients are K times those of one copy (dropout off: its keys differ between copies).
  const Graph one = make_graph(8);
  const int64_t K = fathom::cpu::kGatContribRows * 5 / (2 * kN) + 3, N = K * kN;
  std::vector<int32_t> ei(2 * K * one.src.size());
  const size_t E1 = one.src.size(), E = K * E1;
  for (int64_t c = 0; c < K; ++c) {
    for (size_t e = 0; e < E1; ++e) {
      ei[c * E1 + e] = one.src[e] + static_cast<int32_t>(c * kN);
      ei[E + c * E1 + e] = one.dst[e] + static_cast<int32_t>(c * kN);
    }
  }
  const Tensor t = Tensor::from_host(ei.data(), {2, static_cast<int64_t>(E)}, DType::I32);
  const Csr csr =
      fathom::csr_operator(fathom::csr_from_edge_index(t, N, "test"), "gin", DType::F64);
  const Csr csr_t = fathom::csr_transpose(csr);
  for (int version : {1, 2}) {
    GatConfig c{version, 2, 0.2, 0, 0};
    const int64_t W = 2 * 3;
    const auto x1 = random_values(kN * W, 51), r1 = random_values(kN * W, 52);
    std::vector<double> x(N * W), r(N * W);
    for (int64_t k = 0; k < N * W; ++k) {
      x[k] = x1[k % (kN * W)];
      r[k] = r1[k % (kN * W)];
    }
    const Tensor as = tensor(random_values(W, 53), {W});
    const Tensor ad = version == 1 ? tensor(random_values(W, 54), {W}) : Tensor();
    const auto small =
        fathom::ops::gat_attention(c, one.csr, tensor(x1, {kN, W}), tensor(x1, {kN, W}), as, ad);
    const auto gs = fathom::ops::gat_attention_backward(c, one.csr, one.csr_t, tensor(x1, {kN, W}),
                                                        tensor(x1, {kN, W}), as, ad, small.out,
                                                        small.stats, tensor(r1, {kN, W}));
    const Tensor xb = tensor(x, {N, W});
    const auto big = fathom::ops::gat_attention(c, csr, xb, xb, as, ad);
    const auto gb = fathom::ops::gat_attention_backward(c, csr, csr_t, xb, xb, as, ad, big.out,
                                                        big.stats, tensor(r, {N, W}), true);
    std::vector<double> want(W);
    for (int64_t f = 0; f < W; ++f) want[f] = static_cast<double>(K) * data(gs.da_src)[f];
    CHECK_ALL_CLOSE(data(gb.da_src), want.data(), W, 1e-11, 1e-13);
    if (version == 1) {
      for (int64_t f = 0; f < W; ++f) want[f] = static_cast<double>(K) * data(gs.da_dst)[f];
      CHECK_ALL_CLOSE(data(gb.da_dst), want.data(), W, 1e-11, 1e-13);
    }
    // The node gradients of the last copy match the single graph's (xs = xt summed).
    const int64_t last = (K - 1) * kN * W;
    want.assign(kN * W, 0.0);
    for (int64_t k = 0; k < kN * W; ++k) want[k] = data(gs.dxs)[k] + data(gs.dxt)[k];
    CHECK_ALL_CLOSE(data(gb.dxs) + last, want.data(), kN * W, 1e-12, 1e-14);
  }
}

TEST(gat_softmax_is_stable_for_logits_near_1e4) {
  const Graph g = make_graph(7);
  GatConfig c{2, 1, 0.2, 0, 0};
  auto as = random_values(4, 8);
  for (auto& a : as) a *= 3000;  // scores |a·LeakyReLU(·)| reach ~1e4: exp(1e4) overflows
  const auto xs = random_values(kN * 4, 9);
  const auto r = fathom::ops::gat_attention(c, g.csr, tensor(xs, {kN, 4}), tensor(xs, {kN, 4}),
                                            tensor(as, {4}), Tensor());
  const auto want = reference(c, g, xs, xs, as, as);
  for (int64_t k = 0; k < kN * 4; ++k) CHECK(std::isfinite(data(r.out)[k]));
  CHECK_ALL_CLOSE(data(r.out), want.data(), kN * 4, 1e-10, 1e-12);
}

TEST(gat_rejects_bad_arguments_with_errors) {
  const Graph g = make_graph(9);
  const Tensor x = tensor(random_values(kN * 4, 1), {kN, 4});
  const Tensor a = tensor(random_values(4, 2), {4});
  CHECK_THROWS(fathom::ops::gat_attention({3, 1, 0.2, 0, 0}, g.csr, x, x, a, Tensor()),
               fathom::Error);
  CHECK_THROWS(fathom::ops::gat_attention({2, 3, 0.2, 0, 0}, g.csr, x, x, a, Tensor()),
               fathom::Error);
  CHECK_THROWS(fathom::ops::gat_attention({2, 1, 0.2, 1.0, 0}, g.csr, x, x, a, Tensor()),
               fathom::Error);
  CHECK_THROWS(fathom::ops::gat_attention({1, 1, 0.2, 0, 0}, g.csr, x, x, a, Tensor()),
               fathom::Error);
  CHECK_THROWS(fathom::ops::gat_attention({2, 1, 0.2, 0, 0}, g.csr, x, x, a, a), fathom::Error);
  const Tensor short_x = tensor(random_values(4 * 4, 3), {4, 4});
  CHECK_THROWS(fathom::ops::gat_attention({2, 1, 0.2, 0, 0}, g.csr, short_x, short_x, a, Tensor()),
               fathom::Error);
  // The kinds: each failure has one (FathomError code in JS).
  using fathom::ErrorKind;
  CHECK_FAILS(fathom::ops::gat_attention({2, 1, 0.2, 1.0, 0}, g.csr, x, x, a, Tensor()),
              ErrorKind::Range, "gatAttention", "argument dropout = 1", "[0, 1)");
  CHECK_FAILS(fathom::ops::gat_attention({2, 1, 0.2, -0.5, 0}, g.csr, x, x, a, Tensor()),
              ErrorKind::Range, "gatAttention", "argument dropout = -0.5");
  CHECK_FAILS(fathom::ops::gat_attention({2, 1, NAN, 0, 0}, g.csr, x, x, a, Tensor()),
              ErrorKind::Range, "gatAttention", "argument negativeSlope");
  CHECK_FAILS(fathom::ops::gat_attention({2, 3, 0.2, 0, 0}, g.csr, x, x, a, Tensor()),
              ErrorKind::Range, "gatAttention", "heads = 3");
  CHECK_FAILS(fathom::ops::gat_attention({2, 1, 0.2, 0, 0}, g.csr, short_x, short_x, a, Tensor()),
              ErrorKind::Shape, "gatAttention", "argument xs", "f64[4, 4]", "csr[8 x 8",
              "one row per source");
  CHECK_FAILS(fathom::ops::gat_attention({2, 1, 0.2, 0, 0}, g.csr, x, x, a, a), ErrorKind::Range,
              "gatAttention", "argument aDst must be null");
  const Tensor a3 = tensor(random_values(3, 2), {3});
  CHECK_FAILS(fathom::ops::gat_attention({2, 1, 0.2, 0, 0}, g.csr, x, x, a3, Tensor()),
              ErrorKind::Shape, "gatAttention", "argument aSrc", "f64[3]");
}

namespace {

// A sampled block's layout: kS sources, the first kT of them the targets, edges into targets
// only; a repeated edge and an existing self loop of target 1 (kept once by "gin").
constexpr int64_t kS = 11, kT = 4;

struct Block {
  Csr rect, rect_t;      // [kT x kS]: the targets' rows
  Csr padded, padded_t;  // [kS x kS]: the same, plus a self-loop-only row per other source
};

Block make_block(uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<int32_t> src, dst;
  for (int k = 0; k < 24; ++k) {
    const int32_t d = static_cast<int32_t>(gen() % (kT - 1));  // target kT - 1 has no edge
    src.push_back(static_cast<int32_t>(gen() % kS));
    dst.push_back(d);
  }
  src.insert(src.end(), {5, 5, 1});
  dst.insert(dst.end(), {2, 2, 1});
  const int64_t E = static_cast<int64_t>(src.size());
  std::vector<int32_t> ei(src);
  ei.insert(ei.end(), dst.begin(), dst.end());
  const Tensor t = Tensor::from_host(ei.data(), {2, E}, DType::I32);
  Block b;
  b.rect = fathom::csr_operator(fathom::csr_from_bipartite(t, kS, kT, "test"), "gin", DType::F64);
  b.rect_t = fathom::csr_transpose(b.rect);
  b.padded = fathom::csr_operator(fathom::csr_from_edge_index(t, kS, "test"), "gin", DType::F64);
  b.padded_t = fathom::csr_transpose(b.padded);
  return b;
}

std::vector<double> head_rows(const Tensor& t, int64_t rows) {
  const int64_t w = t.dim(1);
  return std::vector<double>(data(t), data(t) + rows * w);
}

}  // namespace

TEST(gat_on_a_block_operator_gives_the_padded_square_operators_target_rows_and_gradients) {
  // The padded operator attends over every source (the others over their self loop alone); with
  // the extra rows' output gradient zero, every gradient is the block's. Same rows, same order of
  // terms, same dropout keys (edge ids, 2^31 + i for the added loops): the results are equal.
  const Block b = make_block(12);
  for (const Case& cs : kCases) {
    for (bool xt_targets_only : {false, true}) {
      if (xt_targets_only && !cs.separate) continue;
      GatConfig c{cs.version, cs.heads, 0.2, cs.p, 29};
      const int64_t W = cs.heads * 3;
      const auto xs = random_values(kS * W, 61), as = random_values(W, 63),
                 ad = random_values(W, 64);
      const auto xt_all = cs.separate ? random_values(kS * W, 62) : xs;
      const std::vector<double> xt_rows(xt_all.begin(), xt_all.begin() + kT * W);
      const Tensor txs = tensor(xs, {kS, W});
      const Tensor txt_all = cs.separate ? tensor(xt_all, {kS, W}) : txs;
      const Tensor txt = xt_targets_only ? tensor(xt_rows, {kT, W}) : txt_all;
      const Tensor a_src = tensor(as, {W});
      const Tensor a_dst = cs.version == 1 ? tensor(ad, {W}) : Tensor();
      const auto rect = fathom::ops::gat_attention(c, b.rect, txs, txt, a_src, a_dst);
      const auto pad = fathom::ops::gat_attention(c, b.padded, txs, txt_all, a_src, a_dst);
      CHECK(rect.out.shape() == fathom::Shape({kT, W}));
      CHECK(rect.stats.shape() == fathom::Shape({2, kT, cs.heads}));
      CHECK_ALL_CLOSE(data(rect.out), head_rows(pad.out, kT).data(), kT * W, 0, 0);
      auto R = random_values(kS * W, 65);
      for (int64_t k = kT * W; k < kS * W; ++k) R[k] = 0;
      const std::vector<double> r_rows(R.begin(), R.begin() + kT * W);
      const bool shared = !cs.separate;
      const auto gr =
          fathom::ops::gat_attention_backward(c, b.rect, b.rect_t, txs, txt, a_src, a_dst, rect.out,
                                              rect.stats, tensor(r_rows, {kT, W}), shared);
      const auto gp =
          fathom::ops::gat_attention_backward(c, b.padded, b.padded_t, txs, txt_all, a_src, a_dst,
                                              pad.out, pad.stats, tensor(R, {kS, W}), shared);
      CHECK(gr.dxs.shape() == fathom::Shape({kS, W}));
      CHECK_ALL_CLOSE(data(gr.dxs), data(gp.dxs), kS * W, 0, 0);
      if (cs.separate) {
        CHECK(gr.dxt.shape() == txt.shape());
        CHECK_ALL_CLOSE(data(gr.dxt), data(gp.dxt), kT * W, 0, 0);
        // Rows of xt past the targets (xt holding every source) are not read: zero gradient.
        for (int64_t k = kT * W; k < gr.dxt.numel(); ++k) CHECK(data(gr.dxt)[k] == 0);
      }
      CHECK_ALL_CLOSE(data(gr.da_src), data(gp.da_src), W, 0, 0);
      if (cs.version == 1) CHECK_ALL_CLOSE(data(gr.da_dst), data(gp.da_dst), W, 0, 0);
    }
  }
}

TEST(gat_on_a_block_operator_rejects_rows_and_columns_that_do_not_fit) {
  const Block b = make_block(13);
  using fathom::ErrorKind;
  const GatConfig c{1, 1, 0.2, 0, 0};
  const Tensor xs = tensor(random_values(kS * 4, 1), {kS, 4});
  const Tensor xt = tensor(random_values(kT * 4, 2), {kT, 4});
  const Tensor a = tensor(random_values(4, 3), {4});
  const Tensor xs_short = tensor(random_values(kT * 4, 4), {kT, 4});
  CHECK_FAILS(fathom::ops::gat_attention(c, b.rect, xs_short, xt, a, a), ErrorKind::Shape,
              "gatAttention", "argument xs is f64[4, 4]", "csr[4 x 11", "one row per source",
              "(11)");
  const Tensor xt_bad = tensor(random_values(6 * 4, 5), {6, 4});
  CHECK_FAILS(fathom::ops::gat_attention(c, b.rect, xs, xt_bad, a, a), ErrorKind::Shape,
              "gatAttention", "argument xt is f64[6, 4]", "csr[4 x 11", "one row per target", "(4)",
              "(11, the targets first)");
  const Tensor xt_wide = tensor(random_values(kT * 5, 5), {kT, 5});
  CHECK_FAILS(fathom::ops::gat_attention(c, b.rect, xs, xt_wide, a, a), ErrorKind::Shape,
              "gatAttention", "argument xt is f64[4, 5]");
  const auto r = fathom::ops::gat_attention(c, b.rect, xs, xt, a, a);
  const Tensor grad_all = tensor(random_values(kS * 4, 6), {kS, 4});
  CHECK_FAILS(fathom::ops::gat_attention_backward(c, b.rect, b.rect_t, xs, xt, a, a, r.out, r.stats,
                                                  grad_all),
              ErrorKind::Shape, "gatAttentionBackward", "argument grad is f64[11, 4]",
              "must be [4, 4], one row per target");
  CHECK_FAILS(fathom::ops::gat_attention_backward(c, b.rect, b.rect, xs, xt, a, a, r.out, r.stats,
                                                  tensor(random_values(kT * 4, 7), {kT, 4})),
              ErrorKind::Shape, "gatAttentionBackward", "argument opT is csr[4 x 11",
              "pass the transpose of op");
  // "gin" takes the block's CSR (above); "gcn" still needs a square one.
  const std::vector<int32_t> ei{1, 0};
  const Tensor t = Tensor::from_host(ei.data(), {2, 1}, DType::I32);
  CHECK_FAILS(fathom::csr_operator(fathom::csr_from_bipartite(t, 2, 1, "test"), "gcn", DType::F64),
              ErrorKind::Shape, "csr_operator", "kind \"gcn\"", "square");
}
