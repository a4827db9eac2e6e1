// The per-edge ops (ops/edge_ops.h): edgeSoftmax, edgeSoftmaxBackward, csrTransposeIndex,
// edgeGather, gatherRows.
#include "op_table.h"
#include "ops/edge_ops.h"

namespace fathom::table {
namespace {

using Out = std::vector<Tensor>;

Out edge_softmax(OpArgs& a) { return {ops::edge_softmax(a.csr(0, "op"), a.tensor(1, "logits"))}; }

Out edge_softmax_backward(OpArgs& a) {
  return {ops::edge_softmax_backward(a.csr(0, "op"), a.tensor(1, "alpha"), a.tensor(2, "grad"))};
}

Out csr_transpose_index(OpArgs& a) { return {ops::csr_transpose_index(a.csr(0, "operator"))}; }

Out gather_rows(OpArgs& a) { return {ops::gather_rows(a.tensor(0, "x"), a.tensor(1, "index"))}; }

Out edge_gather(OpArgs& a) {
  return {ops::edge_gather(a.tensor(0, "values"), a.tensor(1, "index"))};
}

}  // namespace

void add_edge_ops(std::vector<OpDef>& ops) {
  ops.insert(ops.end(), {{"edgeSoftmax", edge_softmax, Returns::One},
                         {"edgeSoftmaxBackward", edge_softmax_backward, Returns::One},
                         {"csrTransposeIndex", csr_transpose_index, Returns::One},
                         {"edgeGather", edge_gather, Returns::One},
                         {"gatherRows", gather_rows, Returns::One}});
}

}  // namespace fathom::table
