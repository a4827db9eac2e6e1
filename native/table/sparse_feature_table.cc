// The sparse-input-feature ops that return tensors: csrDropout and transpose (csrFromDense,
// which returns a CSR, stays in the binding).
#include "op_table.h"
#include "ops/ops.h"

namespace fathom::table {
namespace {

using Out = std::vector<Tensor>;

Out csr_dropout(OpArgs& a) {
  const double* seed_dev = a.step_scalars(1, seed_bits<2>);
  return {ops::csr_dropout(a.csr(0, "csr"), a.number(1, "p"),
                           static_cast<uint64_t>(a.integer(2, "seed", 0)), a.flag(3, "transposed"),
                           seed_dev)};
}

Out transpose(OpArgs& a) { return {ops::transpose(a.tensor(0, "x"))}; }

}  // namespace

void add_sparse_feature_ops(std::vector<OpDef>& ops) {
  // csrDropout is reached only from dropout() on sparse features: errors name that op.
  ops.insert(ops.end(), {{"csrDropout", csr_dropout, Returns::One, "dropout"},
                         {"transpose", transpose, Returns::One}});
}

}  // namespace fathom::table
