// The norm family: pairNorm, layerNorm and spectral normalization (powerIteration,
// spectralNormalize), with their backwards.
#include "op_table.h"
#include "ops/layer_norm.h"
#include "ops/norm.h"
#include "ops/spectral.h"

namespace fathom::table {
namespace {

using Out = std::vector<Tensor>;

Out pair_norm(OpArgs& a) {
  return {ops::pair_norm(a.tensor(0, "x"), a.number(1, "scale"), a.number(2, "eps"),
                         a.flag(3, "scaleIndividually"))};
}

Out pair_norm_backward(OpArgs& a) {
  return {ops::pair_norm_backward(a.tensor(0, "grad"), a.tensor(1, "x"), a.number(2, "scale"),
                                  a.number(3, "eps"), a.flag(4, "scaleIndividually"))};
}

// layerNorm(x, weight | null, bias | null, eps) -> [out, stats f64 [2, N]]
Out layer_norm(OpArgs& a) {
  ops::LayerNormResult r = ops::layer_norm(a.tensor(0, "x"), a.optional_tensor(1, "weight"),
                                           a.optional_tensor(2, "bias"), a.number(3, "eps"));
  return {std::move(r.out), std::move(r.stats)};
}

// layerNormBackward(grad, x, weight | null, stats, wantX, wantWeight, wantBias)
//   -> [dx | null, dweight | null, dbias | null]
Out layer_norm_backward(OpArgs& a) {
  ops::LayerNormGrads g = ops::layer_norm_backward(
      a.tensor(0, "grad"), a.tensor(1, "x"), a.optional_tensor(2, "weight"), a.tensor(3, "stats"),
      a.flag(4, "wantX"), a.flag(5, "wantWeight"), a.flag(6, "wantBias"));
  return {std::move(g.dx), std::move(g.dweight), std::move(g.dbias)};
}

// powerIteration(w, u, v): one step, u and v updated in place.
Out power_iteration(OpArgs& a) {
  ops::power_iteration_(a.tensor(0, "w"), a.mutable_tensor(1, "u"), a.mutable_tensor(2, "v"));
  return {};
}

Out spectral_normalize(OpArgs& a) {
  return {ops::spectral_normalize(a.tensor(0, "w"), a.tensor(1, "u"), a.tensor(2, "v"),
                                  a.number(3, "c"))};
}

Out spectral_normalize_backward(OpArgs& a) {
  return {ops::spectral_normalize_backward(a.tensor(0, "grad"), a.tensor(1, "w"), a.tensor(2, "u"),
                                           a.tensor(3, "v"), a.number(4, "c"))};
}

}  // namespace

void add_norm_ops(std::vector<OpDef>& ops) {
  ops.insert(ops.end(), {{"pairNorm", pair_norm, Returns::One},
                         {"pairNormBackward", pair_norm_backward, Returns::One},
                         {"layerNorm", layer_norm, Returns::Tuple},
                         {"layerNormBackward", layer_norm_backward, Returns::Tuple},
                         {"powerIteration", power_iteration, Returns::Nothing},
                         {"spectralNormalize", spectral_normalize, Returns::One},
                         {"spectralNormalizeBackward", spectral_normalize_backward, Returns::One}});
}

}  // namespace fathom::table
