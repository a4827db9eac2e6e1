// The softmax and power-mean aggregations of GENConv (ops/softmax_aggregate.h).
#include "op_table.h"
#include "ops/softmax_aggregate.h"

namespace fathom::table {
namespace {

using Out = std::vector<Tensor>;

// softmaxAggregate(csr, x, e | null, t, eps) -> [out, stats]
Out softmax_aggregate(OpArgs& a) {
  ops::SoftmaxAggregateResult r =
      ops::softmax_aggregate(a.csr(0, "op"), a.tensor(1, "x"), a.optional_tensor(2, "e"),
                             a.tensor(3, "t"), a.number(4, "eps"));
  return {std::move(r.out), std::move(r.stats)};
}

// softmaxAggregateBackward(csrT, x, e | null, t, eps, out, stats, grad) -> [dx, de | null, dt]
Out softmax_aggregate_backward(OpArgs& a) {
  ops::SoftmaxAggregateGrads g = ops::softmax_aggregate_backward(
      a.csr(0, "csrT"), a.tensor(1, "x"), a.optional_tensor(2, "e"), a.tensor(3, "t"),
      a.number(4, "eps"), a.tensor(5, "out"), a.tensor(6, "stats"), a.tensor(7, "grad"));
  return {std::move(g.dx), std::move(g.de), std::move(g.dt)};
}

// powerAggregate(csr, x, e | null, p, eps) -> [out, stats]
Out power_aggregate(OpArgs& a) {
  ops::SoftmaxAggregateResult r =
      ops::power_aggregate(a.csr(0, "op"), a.tensor(1, "x"), a.optional_tensor(2, "e"),
                           a.tensor(3, "p"), a.number(4, "eps"));
  return {std::move(r.out), std::move(r.stats)};
}

// powerAggregateBackward(csrT, x, e | null, p, eps, out, stats, grad) -> [dx, de | null, dp]
Out power_aggregate_backward(OpArgs& a) {
  ops::SoftmaxAggregateGrads g = ops::power_aggregate_backward(
      a.csr(0, "csrT"), a.tensor(1, "x"), a.optional_tensor(2, "e"), a.tensor(3, "p"),
      a.number(4, "eps"), a.tensor(5, "out"), a.tensor(6, "stats"), a.tensor(7, "grad"));
  return {std::move(g.dx), std::move(g.de), std::move(g.dt)};
}

}  // namespace

void add_aggr_ops(std::vector<OpDef>& ops) {
  ops.insert(ops.end(), {{"softmaxAggregate", softmax_aggregate, Returns::Tuple},
                         {"softmaxAggregateBackward", softmax_aggregate_backward, Returns::Tuple},
                         {"powerAggregate", power_aggregate, Returns::Tuple},
                         {"powerAggregateBackward", power_aggregate_backward, Returns::Tuple}});
}

}  // namespace fathom::table
