// The fused GAT attention (ops/gat.h).
#include "op_table.h"
#include "ops/gat.h"

namespace fathom::table {
namespace {

using Out = std::vector<Tensor>;

// Arguments shared by forward and backward: (version, ..., heads, slope, p, seed) at `at`.
template <size_t kAt>
ops::GatConfig config(OpArgs& a) {
  ops::GatConfig c;
  c.version = static_cast<int>(a.number(0, "version"));
  c.heads = static_cast<int64_t>(a.integer(kAt, "heads", 1));
  c.slope = a.number(kAt + 1, "negativeSlope");
  c.p = a.number(kAt + 2, "dropout");
  // The seed: argument 9 of gatAttention, 10 of its backward.
  c.seed_dev = a.step_scalars(1, seed_bits<kAt + 3>);
  c.seed = static_cast<uint64_t>(a.integer(kAt + 3, "seed", 0));
  return c;
}

Out gat_attention(OpArgs& a) {
  const Csr& csr = a.csr(1, "op");
  const Tensor& xs = a.tensor(2, "xs");
  const Tensor& xt = a.tensor(3, "xt");
  const Tensor& a_src = a.tensor(4, "aSrc");
  Tensor a_dst = a.optional_tensor(5, "aDst");
  ops::GatResult r = ops::gat_attention(config<6>(a), csr, xs, xt, a_src, a_dst);
  return {std::move(r.out), std::move(r.stats)};
}

Out gat_attention_backward(OpArgs& a) {
  const Csr& csr = a.csr(1, "op");
  const Csr& csr_t = a.csr(2, "opT");
  const Tensor& xs = a.tensor(3, "xs");
  const Tensor& xt = a.tensor(4, "xt");
  const Tensor& a_src = a.tensor(5, "aSrc");
  Tensor a_dst = a.optional_tensor(6, "aDst");
  const ops::GatConfig cfg = config<7>(a);
  ops::GatGrads g = ops::gat_attention_backward(cfg, csr, csr_t, xs, xt, a_src, a_dst,
                                                a.tensor(11, "out"), a.tensor(12, "stats"),
                                                a.tensor(13, "grad"), a.flag(14, "sharedInput"));
  return {std::move(g.dxs), std::move(g.dxt), std::move(g.da_src), std::move(g.da_dst)};
}

}  // namespace

void add_gat_ops(std::vector<OpDef>& ops) {
  ops.insert(ops.end(), {{"gatAttention", gat_attention, Returns::Tuple},
                         {"gatAttentionBackward", gat_attention_backward, Returns::Tuple}});
}

}  // namespace fathom::table
